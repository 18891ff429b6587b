// Unit tests for the pure logic (outbox, deltas, plurals, relative ages) in node.
import { defineConfig } from 'vitest/config';
import { fileURLToPath } from 'node:url';

export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  esbuild: { jsx: 'automatic', jsxImportSource: 'preact' },
  test: { include: ['test/**/*.test.{js,jsx}'], environment: 'node' },
});
