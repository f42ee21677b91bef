import Type, { type Static } from 'typebox';
import type { InstanceConfig } from '../../core/config.js';
import { httpsOrigin } from '../../core/https-url.js';

/**
 * A team-scoped Dropbox app (Dropbox Business): its app key and secret, and a refresh token an admin
 * authorized with `token_access_type=offline`. Access tokens are short-lived (four hours) and renewed
 * from the refresh token.
 */
export const DropboxConfigSchema = Type.Object({
  appKey: Type.String({ minLength: 1, description: 'the app key (client id) of the team-scoped app' }),
  appSecret: Type.String({ minLength: 1, secret: true, description: 'the app secret' }),
  refreshToken: Type.String({ minLength: 1, secret: true, description: 'a refresh token of the team, authorized by a team admin' }),
  apiUrl: httpsOrigin('https://api.dropboxapi.com', { default: 'https://api.dropboxapi.com' }),
  pageSize: Type.Integer({ minimum: 1, maximum: 1000, default: 1000, description: 'limit of team_log/get_events, members/list_v2 and files/list_folder' }),
  scanTeamFolders: Type.Boolean({ default: true, description: 'scan the team folders (as the authenticated admin, Dropbox-API-Select-Admin)' }),
  internalDomains: Type.Array(Type.String({ minLength: 1 }), { default: [], description: "email domains counted as internal besides the team members' own" }),
  quarantineFolder: Type.String({ minLength: 1, default: '/Appwarden Quarantine', pattern: '^/[^/]', description: "folder in the owner's Dropbox that quarantined files are moved into" }),
  adminMemberId: Type.Optional(Type.String({ minLength: 1, description: 'the team_member_id of the admin the connector acts as (a protected account); default: the admin who authorized the app' })),
});

export type DropboxConfig = InstanceConfig & Static<typeof DropboxConfigSchema>;
