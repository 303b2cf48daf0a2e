// Graceful HTTP shutdown. fastify's close() stops accepting connections and lets requests in progress
// finish, but a keep-alive connection that turns idle after close() began stays open until the client drops
// it (about 72 s with fetch), which kept SIGTERM from ever finishing under load. So idle connections are
// swept while closing, and after a grace period everything left is cut.
import type { FastifyInstance } from "fastify";

export async function closeHttpGracefully(app: FastifyInstance, graceMs = 10_000): Promise<void> {
  const sweep = setInterval(() => app.server.closeIdleConnections(), 25);
  const cut = setTimeout(() => app.server.closeAllConnections(), graceMs);
  try {
    await app.close();
  } finally {
    clearInterval(sweep);
    clearTimeout(cut);
  }
}
