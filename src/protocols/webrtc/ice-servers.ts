import { createHmac } from 'node:crypto';
import type { IceServerOptions, TurnSecretOptions } from './options.js';

/**
 * The ICE servers one client should use. TURN credentials from a shared secret follow the coturn
 * REST scheme: username = "<expiry unix time>:<user>", password = base64(HMAC-SHA1(secret, username)).
 */
export function iceServersFor(options: { stunServers: readonly string[]; turnServers: readonly IceServerOptions[]; turnSecret?: TurnSecretOptions }, user: string, nowMs = Date.now()): IceServerOptions[] {
  const servers: IceServerOptions[] = options.stunServers.length > 0 ? [{ urls: [...options.stunServers] }] : [];
  for (const turn of options.turnServers) {
    if (options.turnSecret !== undefined && turn.username === undefined) {
      const username = `${Math.floor(nowMs / 1000) + options.turnSecret.ttlSeconds}:${user}`;
      const credential = createHmac('sha1', options.turnSecret.secret).update(username).digest('base64');
      servers.push({ urls: [...turn.urls], username, credential });
    } else {
      servers.push({ urls: [...turn.urls], ...(turn.username !== undefined ? { username: turn.username } : {}), ...(turn.credential !== undefined ? { credential: turn.credential } : {}) });
    }
  }
  return servers;
}

/** RFC 9725 §4.6: one Link header value per ICE server URL, with credentials for TURN. */
export function iceServerLinks(servers: readonly IceServerOptions[]): string[] {
  const links: string[] = [];
  for (const s of servers) {
    for (const url of s.urls) {
      let link = `<${url}>; rel="ice-server"`;
      if (s.username !== undefined) link += `; username="${quoted(s.username)}"`;
      if (s.credential !== undefined) link += `; credential="${quoted(s.credential)}"; credential-type="password"`;
      links.push(link);
    }
  }
  return links;
}

function quoted(value: string): string {
  return value.replace(/["\\]/g, (c) => `\\${c}`);
}
