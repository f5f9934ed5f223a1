import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  {
    ignores: [
      'node_modules/',
      '.camunda/',
      '.operaton/',
      'engine/target/',
      '.data/',
      '.artifacts/',
      'db/migrations/',
      'coverage/',
      'dist/',
      'modeler-ui/dist/',
      'tests/screenshots/',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
);
