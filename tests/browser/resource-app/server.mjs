// A tiny static server for the $resource page: the page, its script, and
// AngularJS and angular-resource from node_modules, nothing else. It is the
// page's own origin, distinct from the service's, so every API call the page
// makes is cross-origin (CORS).
//
//   node resource-app/server.mjs PORT     serves until stopped
import { createServer } from 'node:http';
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const require = createRequire(import.meta.url);

const FILES = {
  '/': [path.join(here, 'index.html'), 'text/html; charset=utf-8'],
  '/app.js': [path.join(here, 'app.js'), 'text/javascript; charset=utf-8'],
  '/vendor/angular.min.js': [require.resolve('angular/angular.min.js'), 'text/javascript; charset=utf-8'],
  '/vendor/angular-resource.min.js':
    [require.resolve('angular-resource/angular-resource.min.js'), 'text/javascript; charset=utf-8'],
};

// Resolves to the listening server once it listens on 127.0.0.1:port.
export function serve(port) {
  const server = createServer(async (request, response) => {
    const file = request.method === 'GET' && FILES[new URL(request.url, 'http://page').pathname];
    if (!file) {
      response.writeHead(404, { 'Content-Type': 'text/plain; charset=utf-8' }).end('not found\n');
      return;
    }
    const [name, type] = file;
    response.writeHead(200, { 'Content-Type': type, 'Cache-Control': 'no-store' }).end(await readFile(name));
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve(server));
  });
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const server = await serve(Number(process.argv[2] || 0));
  console.log(`serving the $resource page at http://127.0.0.1:${server.address().port}/`);
}
