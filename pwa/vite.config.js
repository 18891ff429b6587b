// Vite builds the PWA into pwa/dist with hashed asset names; the service worker is
// our own (src/sw.js) with Workbox's precache manifest injected.
import { defineConfig } from 'vite';
import { VitePWA } from 'vite-plugin-pwa';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('.', import.meta.url));
const backend = process.env.MINSIDE_DEV_BACKEND || 'http://127.0.0.1:8787';

/**
 * compileHints asks V8 to compile every function of the entry chunk while the file streams
 * in, off the main thread (Explicit Compile Hints, Chromium 136+; other browsers ignore the
 * comment). The entry's functions all run in the first render anyway; compiled lazily, each
 * cost the main thread at its first call, measured as about half the blocking time of a
 * cold start. Lazily loaded pages keep lazy compilation: most of their code may never run.
 */
function compileHints() {
  return {
    name: 'minside-compile-hints',
    // Last of all (minification would drop the comment, and Vite prepends its preload map
    // in generateBundle): the comment must be the file's first line.
    generateBundle: {
      order: 'post',
      handler(options, bundle) {
        for (const chunk of Object.values(bundle)) {
          if (chunk.type === 'chunk' && chunk.isEntry) chunk.code = `//# allFunctionsCalledOnLoad\n${chunk.code}`;
        }
      },
    },
  };
}

export default defineConfig({
  root,
  publicDir: 'public',
  esbuild: { jsx: 'automatic', jsxImportSource: 'preact' },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'es2020',
    modulePreload: { polyfill: false },
    assetsInlineLimit: 0,
    reportCompressedSize: true,
  },
  server: {
    host: '127.0.0.1',
    proxy: { '/api': backend, '/auth': backend },
  },
  plugins: [
    compileHints(),
    VitePWA({
      strategies: 'injectManifest',
      srcDir: 'src',
      filename: 'sw.js',
      injectRegister: false,
      registerType: 'prompt',
      manifestFilename: 'manifest.webmanifest',
      includeAssets: ['icons/*.svg', 'icons/*.png'],
      manifest: {
        id: '/',
        name: 'Min side',
        short_name: 'Min side',
        description: 'Your cases, bookings, keys and messages from the municipality in one place.',
        start_url: '/',
        scope: '/',
        display: 'standalone',
        background_color: '#f4f6f7',
        theme_color: '#0b4f6c',
        icons: [
          { src: '/icons/icon-192.png', sizes: '192x192', type: 'image/png' },
          { src: '/icons/icon-512.png', sizes: '512x512', type: 'image/png' },
          { src: '/icons/maskable-512.png', sizes: '512x512', type: 'image/png', purpose: 'maskable' },
        ],
      },
      injectManifest: {
        globPatterns: ['**/*.{js,css,html,svg,png,webmanifest}'],
        rollupFormat: 'es',
        target: 'es2020',
      },
      devOptions: { enabled: false },
    }),
  ],
});
