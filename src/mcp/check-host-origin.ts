import { CairnError } from '../spec/index.ts';

const LOOPBACK = ['localhost', '127.0.0.1', '[::1]'];

/**
 * Checks of `/mcp` against DNS rebinding: a web page that makes a victim's browser resolve an
 * attacker's name to 127.0.0.1 sends that name as Host and its own origin as Origin. Loopback
 * names are allowed, plus the configured ones; an Origin header (only browsers send one) must
 * name an allowed host or be listed itself. Throws `forbidden` naming the setting to change.
 */
export function checkMcpRequest(
  headers: { host?: string | undefined; origin?: string | undefined },
  allowed: { allowedHosts?: string[]; allowedOrigins?: string[] },
): void {
  const hosts = [...LOOPBACK, ...(allowed.allowedHosts ?? [])].map((host) => host.toLowerCase());
  const hostname = hostOf(headers.host ?? '');
  if (!hosts.includes(hostname)) {
    throw new CairnError(
      'forbidden',
      `/mcp refuses Host "${headers.host ?? ''}": add it to server.mcpAllowedHosts if clients reach cairn by that name`,
    );
  }
  const origin = headers.origin;
  if (origin === undefined) return;
  const listed = (allowed.allowedOrigins ?? []).includes(origin);
  let originHost = '';
  try {
    originHost = new URL(origin).host;
  } catch {
    // Unparseable origins are refused below.
  }
  if (!listed && !hosts.includes(hostOf(originHost))) {
    throw new CairnError(
      'forbidden',
      `/mcp refuses Origin "${origin}": add it to server.mcpAllowedOrigins to allow that web page`,
    );
  }
}

/** The host name of a Host header or URL host, lower-cased, without its port. */
function hostOf(host: string): string {
  const lower = host.trim().toLowerCase();
  if (lower.startsWith('[')) return lower.slice(0, lower.indexOf(']') + 1);
  return lower.replace(/:\d+$/, '');
}
