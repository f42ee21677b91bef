import { isIP } from 'node:net';
import type { Conditions } from './conditions.js';
import { badRequest } from './errors.js';

/**
 * `ip` of a request as a condition on `src_ip`: one address (exact text match), or a CIDR block
 * (`10.0.0.0/8`, `2001:db8::/32`) tested on the IPv6 form of the address (IPv4 mapped as
 * `::ffff:a.b.c.d`, an IPv4 /n being the mapped /96+n), as `activities.src_ip_v6` is stored.
 */
export function addIpFilter(where: Conditions, value: string | undefined, column = 'src_ip', v6Column = 'src_ip_v6'): void {
  if (value === undefined) return;
  const slash = value.indexOf('/');
  if (slash === -1) {
    if (isIP(value) === 0) throw badRequest('querystring.ip must be an IP address or a CIDR block such as 203.0.113.0/24', 'ip');
    where.add(`${column} = {ip:String}`, { ip: value });
    return;
  }
  const address = value.slice(0, slash);
  const bitsText = value.slice(slash + 1);
  const family = isIP(address);
  const bits = /^\d{1,3}$/.test(bitsText) ? Number(bitsText) : NaN;
  const max = family === 4 ? 32 : 128;
  if (family === 0 || !(bits >= 0 && bits <= max)) {
    throw badRequest(`querystring.ip: ${JSON.stringify(value)} is not a CIDR block (address/prefix, the prefix at most ${family === 4 ? 32 : 128})`, 'ip');
  }
  const net = family === 4 ? `::ffff:${address}` : address;
  const prefix = family === 4 ? 96 + bits : bits;
  where.add(
    `${v6Column} BETWEEN tupleElement(IPv6CIDRToRange(toIPv6({ip_net:String}), {ip_bits:UInt8}), 1) AND tupleElement(IPv6CIDRToRange(toIPv6({ip_net:String}), {ip_bits:UInt8}), 2)`,
    { ip_net: net, ip_bits: prefix },
  );
}
