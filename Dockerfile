# The platform (API, workers, read-model projector) for docker compose. The engine runs in its own
# container (engine/Dockerfile); npm start here waits for it (ENGINE_MODE=external).

# The web UI is built with the dev dependencies (Vite), then only its output is kept.
FROM node:24-bookworm-slim AS ui
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY . .
RUN node modeler-ui/build.ts --force

FROM node:24-bookworm-slim
WORKDIR /app
ENV NODE_ENV=production
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund
COPY . .
COPY --from=ui /app/modeler-ui/dist ./modeler-ui/dist
ENV ENGINE_MODE=external HOST=0.0.0.0 PORT=3000
EXPOSE 3000
CMD ["node", "scripts/start.ts"]
