/**
 * Adds, for every host candidate in an answer, the same port on `publicIp` (a 1:1 NAT such as a
 * cloud VM's elastic IP): the NAT forwards it to the host socket, which answers any address.
 */
export function addPublicIpCandidates(sdp: string, publicIp: string): string {
  const eol = sdp.includes('\r\n') ? '\r\n' : '\n';
  const out: string[] = [];
  for (const line of sdp.split(/\r?\n/)) {
    if (line === '') continue;
    out.push(line);
    const m = /^a=candidate:(\S+) (\d+) (udp|tcp) (\d+) (\S+) (\d+) typ host(.*)$/i.exec(line);
    if (m === null || m[5] === publicIp) continue;
    // a lower priority than the host candidate, and a foundation of its own (RFC 8445 §5.1.1.3)
    const priority = Math.max(1, Number(m[4]) - 1);
    out.push(`a=candidate:${m[1]}n ${m[2]} ${m[3]} ${priority} ${publicIp} ${m[6]} typ host${m[7]}`);
  }
  return out.join(eol) + eol;
}
