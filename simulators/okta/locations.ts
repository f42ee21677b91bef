/**
 * Where sign-ins come from. IP addresses are taken from the documentation ranges (RFC 5737), so no real
 * network is named; the geography and network owner travel with the event as Okta puts them there
 * (`client.geographicalContext`, `securityContext`).
 */
export interface Location {
  ip: string;
  city: string;
  state: string;
  country: string;
  postalCode: string | null;
  lat: number;
  lon: number;
  asNumber: number;
  asOrg: string;
  isp: string;
  domain: string;
}

const loc = (ip: string, city: string, state: string, country: string, postalCode: string | null, lat: number, lon: number, asNumber: number, isp: string, domain: string): Location => ({
  ip, city, state, country, postalCode, lat, lon, asNumber, asOrg: isp.toLowerCase(), isp, domain,
});

export const LOCATIONS: readonly Location[] = [
  loc('198.51.100.14', 'San Francisco', 'California', 'United States', '94107', 37.7697, -122.3933, 7922, 'Comcast Cable Communications', 'comcast.net'),
  loc('198.51.100.37', 'New York', 'New York', 'United States', '10001', 40.7484, -73.9967, 701, 'Verizon Business', 'verizon.com'),
  loc('198.51.100.62', 'Chicago', 'Illinois', 'United States', '60601', 41.8858, -87.6181, 7018, 'AT&T Services', 'att.com'),
  loc('198.51.100.91', 'Austin', 'Texas', 'United States', '78701', 30.2711, -97.7437, 11427, 'Charter Communications', 'spectrum.com'),
  loc('203.0.113.20', 'London', 'England', 'United Kingdom', 'EC1A', 51.5164, -0.093, 2856, 'British Telecommunications', 'bt.com'),
  loc('203.0.113.45', 'Paris', 'Ile-de-France', 'France', '75001', 48.8625, 2.3364, 3215, 'Orange', 'orange.fr'),
  loc('203.0.113.71', 'Madrid', 'Madrid', 'Spain', '28005', 40.4143, -3.7016, 3352, 'Telefonica de Espana', 'telefonica.es'),
  loc('203.0.113.98', 'Berlin', 'Land Berlin', 'Germany', '10117', 52.5162, 13.3777, 3320, 'Deutsche Telekom', 'telekom.de'),
  loc('192.0.2.15', 'Toronto', 'Ontario', 'Canada', 'M5H', 43.6511, -79.3839, 812, 'Rogers Communications', 'rogers.com'),
  loc('192.0.2.44', 'Amsterdam', 'North Holland', 'Netherlands', '1012', 52.3728, 4.8936, 1136, 'KPN', 'kpn.com'),
  loc('192.0.2.78', 'Bengaluru', 'Karnataka', 'India', '560001', 12.9719, 77.5937, 9498, 'Bharti Airtel', 'airtel.in'),
  loc('192.0.2.103', 'Sydney', 'New South Wales', 'Australia', '2000', -33.8688, 151.2093, 1221, 'Telstra', 'telstra.com'),
  // Rarely seen places: the "new country" and "impossible travel" cases for detections.
  loc('192.0.2.141', 'Sao Paulo', 'Sao Paulo', 'Brazil', '01000', -23.5475, -46.6361, 18881, 'Telefonica Brasil', 'vivo.com.br'),
  loc('192.0.2.177', 'Singapore', 'Central Singapore', 'Singapore', '018989', 1.2897, 103.8501, 7473, 'Singapore Telecommunications', 'singtel.com'),
  loc('192.0.2.209', 'Lagos', 'Lagos', 'Nigeria', null, 6.4541, 3.3947, 29465, 'MTN Nigeria', 'mtnonline.com'),
  loc('192.0.2.233', 'Bucharest', 'Bucuresti', 'Romania', '010011', 44.4323, 26.1063, 8708, 'RCS & RDS', 'rcs-rds.ro'),
];

/** Users live in one of the first locations; the rest are only visited. */
export const HOME_LOCATION_COUNT = 12;

export const BROWSER_USER_AGENTS: readonly { rawUserAgent: string; os: string; browser: string }[] = [
  { rawUserAgent: 'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36', os: 'Mac OS X', browser: 'CHROME' },
  { rawUserAgent: 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36', os: 'Windows 10', browser: 'CHROME' },
  { rawUserAgent: 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36 Edg/124.0.0.0', os: 'Windows 10', browser: 'EDGE_CHROMIUM' },
  { rawUserAgent: 'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Safari/605.1.15', os: 'Mac OS X', browser: 'SAFARI' },
  { rawUserAgent: 'Mozilla/5.0 (X11; Fedora; Linux x86_64; rv:125.0) Gecko/20100101 Firefox/125.0', os: 'Linux', browser: 'FIREFOX' },
  { rawUserAgent: 'Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Mobile/15E148 Safari/604.1', os: 'iOS', browser: 'MOBILE_SAFARI' },
];
