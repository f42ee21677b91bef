import { BlockList, isIP } from 'node:net';

/** Where an IP address is, as an offline GeoIP database tells it. */
export interface GeoLocation {
  lat: number;
  lon: number;
  /** ISO 3166-1 alpha-2 code when the database gives one. */
  country: string | null;
  city: string | null;
}

/** Locates IP addresses; synchronous, since impossible travel is evaluated on the hot path. */
export interface GeoLocator {
  locate(ip: string): GeoLocation | null;
}

const EARTH_RADIUS_KM = 6371.0088;

/** Great-circle distance between two locations, in km (haversine). */
export function distanceKm(a: Pick<GeoLocation, 'lat' | 'lon'>, b: Pick<GeoLocation, 'lat' | 'lon'>): number {
  const rad = Math.PI / 180;
  const dLat = (b.lat - a.lat) * rad;
  const dLon = (b.lon - a.lon) * rad;
  const h = Math.sin(dLat / 2) ** 2 + Math.cos(a.lat * rad) * Math.cos(b.lat * rad) * Math.sin(dLon / 2) ** 2;
  return 2 * EARTH_RADIUS_KM * Math.asin(Math.min(1, Math.sqrt(h)));
}

/** Half the Earth's circumference: no two places are farther apart. */
export const MAX_DISTANCE_KM = Math.PI * EARTH_RADIUS_KM;

/**
 * A locator from a table of addresses or networks (`203.0.113.7`, `198.51.100.0/24`) to locations:
 * for inline policy tests, and for sites that know their own networks. Exact addresses win over
 * networks; networks are tried in the table's order.
 */
export function tableLocator(table: Record<string, GeoLocation | Omit<GeoLocation, 'country' | 'city'> & Partial<GeoLocation>>, fallback?: GeoLocator): GeoLocator {
  const exact = new Map<string, GeoLocation>();
  const networks: Array<{ list: BlockList; location: GeoLocation }> = [];
  for (const [key, value] of Object.entries(table)) {
    const location: GeoLocation = { lat: value.lat, lon: value.lon, country: value.country ?? null, city: value.city ?? null };
    const [address = '', prefix] = key.split('/');
    const family = isIP(address);
    if (family === 0) continue;
    if (prefix === undefined) exact.set(address.toLowerCase(), location);
    else {
      const list = new BlockList();
      list.addSubnet(address, Number(prefix), family === 4 ? 'ipv4' : 'ipv6');
      networks.push({ list, location });
    }
  }
  return {
    locate(ip: string): GeoLocation | null {
      const hit = exact.get(ip.toLowerCase());
      if (hit) return hit;
      const family = isIP(ip);
      if (family !== 0) {
        for (const n of networks) if (n.list.check(ip, family === 4 ? 'ipv4' : 'ipv6')) return n.location;
      }
      return fallback?.locate(ip) ?? null;
    },
  };
}
