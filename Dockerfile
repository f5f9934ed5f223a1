# The platform (API, workers, read-model projector) for docker compose. The engine runs in its own
# container (engine/Dockerfile); npm start here waits for it (ENGINE_MODE=external).
FROM node:24-bookworm-slim
WORKDIR /app
ENV NODE_ENV=production
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund
COPY . .
ENV ENGINE_MODE=external HOST=0.0.0.0 PORT=3000
EXPOSE 3000
CMD ["node", "scripts/start.ts"]
