import { AppwardenError } from '../../core/errors.js';
import type { GeoLocation, GeoLocator } from './geo.js';

/** The part of geoip-lite's API we use (its city database ships inside the package; no download). */
interface GeoIpLite {
  lookup(ip: string): { ll?: [number, number]; country?: string; city?: string } | null;
}

// A variable specifier: the module is optional, and TypeScript must not require it to be installed.
const GEOIP_MODULE = 'geoip-lite';

/**
 * A GeoLocator over the `geoip-lite` package's offline city database. Loading reads the database
 * into memory (about 110 MB, a second or two): do it once per process. Throws AW_CONFIG_INVALID
 * when the package is not installed.
 */
export async function loadGeoIpLocator(): Promise<GeoLocator> {
  let geoip: GeoIpLite;
  try {
    const mod = (await import(GEOIP_MODULE)) as { default?: GeoIpLite } & Partial<GeoIpLite>;
    geoip = (mod.default ?? mod) as GeoIpLite;
  } catch (err) {
    throw new AppwardenError('AW_CONFIG_INVALID', 'impossible-travel policies need the geoip-lite package (an offline GeoIP database): install it with npm', { cause: err });
  }
  return {
    locate(ip: string): GeoLocation | null {
      const hit = geoip.lookup(ip);
      if (!hit?.ll || (hit.ll[0] === 0 && hit.ll[1] === 0)) return null;
      return { lat: hit.ll[0], lon: hit.ll[1], country: hit.country || null, city: hit.city || null };
    },
  };
}
