import { cloneJson, isoString, readJsonLines } from '../common/json.js';
import type { Prng } from '../common/prng.js';
import type { Directory, SimUser } from './directory.js';
import type { DriveState, SimFile } from './drive.js';
import { googleIds } from './ids.js';
import type { SimulatedApplication } from './options.js';

/** A Reports API event parameter, in any of its value kinds. */
export interface SimParameter {
  name: string;
  value?: string;
  intValue?: string;
  boolValue?: boolean;
  multiValue?: string[];
  multiMessageValue?: unknown[];
}

export interface SimEvent {
  type?: string;
  name: string;
  parameters?: SimParameter[];
}

/** An activity before its id and time are given: who did it, from where, and its events. */
export interface ActivityDraft {
  application: string;
  actor: { email: string; profileId: string; callerType?: 'USER' | 'KEY' };
  ipAddress?: string;
  events: SimEvent[];
}

type Json = Record<string, any>;

/** Events of the real samples, used as templates (their identity and documents are replaced). */
interface Templates {
  loginSuccess: SimEvent[];
  suspendUser: SimEvent[];
  addGroupMember: SimEvent[];
  driveEditAndShare: SimEvent[];
  tokenAuthorize: SimEvent[];
  tokenRevoke: SimEvent[];
  samlLoginSuccess: SimEvent[];
}

export function loadTemplates(): Templates {
  const lines = readJsonLines(new URL('./testdata/reports_activities.jsonl', import.meta.url)) as Json[];
  const page = readJsonLines(new URL('./testdata/reports_activities_list_response_page.jsonl', import.meta.url))[0] as Json;
  const find = (application: string, name: string): SimEvent[] => {
    const activity = lines.find((a) => a.id.applicationName === application && a.events[0].name === name);
    if (!activity) throw new Error(`no ${application} ${name} sample in testdata`);
    return cloneJson(activity.events) as SimEvent[];
  };
  return {
    loginSuccess: find('login', 'login_success'),
    suspendUser: find('admin', 'SUSPEND_USER'),
    // The page sample holds ADD_GROUP_MEMBER and REMOVE_GROUP_MEMBER; one event each is taken.
    addGroupMember: [cloneJson(page.items[0].events[0]) as SimEvent],
    driveEditAndShare: find('drive', 'edit'),
    tokenAuthorize: find('token', 'authorize'),
    tokenRevoke: find('token', 'revoke'),
    samlLoginSuccess: find('saml', 'login_success'),
  };
}

type ParamValue = string | boolean | string[];

/** A copy of `events` with the named parameters set (keeping each one's value kind), missing ones added. */
export function withParams(events: SimEvent[], values: Record<string, ParamValue>): SimEvent[] {
  return events.map((event) => {
    const parameters = (event.parameters ?? []).map((p) => ({ ...p }));
    for (const [name, value] of Object.entries(values)) {
      const existing = parameters.find((p) => p.name === name);
      const param: SimParameter = typeof value === 'boolean' ? { name, boolValue: value } : Array.isArray(value) ? { name, multiValue: value } : { name, value };
      if (existing) Object.assign(existing, { value: undefined, boolValue: undefined, multiValue: undefined }, param);
      else parameters.push(param);
    }
    return { ...event, parameters: parameters.map((p) => Object.fromEntries(Object.entries(p).filter(([, v]) => v !== undefined)) as unknown as SimParameter) };
  });
}

export function event(type: string, name: string, values: Record<string, ParamValue>): SimEvent {
  return withParams([{ type, name, parameters: [] }], values)[0]!;
}

// RFC 5737 documentation addresses.
const NETWORKS = ['192.0.2.', '198.51.100.', '203.0.113.'];
const SAML_APPS = ['AWS', 'Salesforce', 'Atlassian'];
const DEVICE_MODELS = [['ANDROID', 'Pixel 8', '14'], ['IOS', 'iPhone15,2', '17.4']] as const;

/** Makes activities of each application, shaped like the samples, about the tenant's own users, files and apps. */
export class ActivityGenerator {
  constructor(
    private readonly templates: Templates,
    private readonly directory: Directory,
    private readonly drive: DriveState,
    private readonly prng: Prng,
  ) {}

  /** The same generator drawing from `prng` (one per slot of anchored history), sharing the start-up lists. */
  withPrng(prng: Prng): ActivityGenerator {
    const other = new ActivityGenerator(this.templates, this.directory, this.drive, prng);
    other.#active = this.activeUsers();
    other.#myDriveFiles = this.#myDriveFiles;
    return other;
  }

  ip(): string {
    return `${this.prng.pick(NETWORKS)}${this.prng.int(1, 255)}`;
  }

  actorOf(user: SimUser): ActivityDraft['actor'] {
    return { callerType: 'USER', email: user.primaryEmail, profileId: user.id };
  }

  // The generated history is about the tenant as it was at start-up: these lists are read once.
  #active: SimUser[] | undefined;
  #myDriveFiles: SimFile[] | undefined;

  private activeUsers(): SimUser[] {
    this.#active ??= this.directory.users.filter((u) => !u.suspended && !u.archived);
    return this.#active;
  }

  private someUser(): SimUser {
    const active = this.activeUsers();
    return this.prng.pick(active.length > 0 ? active : this.directory.users);
  }

  private admin(): SimUser {
    return this.directory.users[0]!;
  }

  draft(application: SimulatedApplication): ActivityDraft {
    const user = this.someUser();
    const base = { application, actor: this.actorOf(user), ipAddress: this.ip() };
    switch (application) {
      case 'login': {
        const kind = this.prng.weighted([['success', 70], ['failure', 15], ['logout', 15]] as const);
        if (kind === 'success') return { ...base, events: cloneJson(this.templates.loginSuccess) };
        if (kind === 'logout') return { ...base, events: [event('logout', 'logout', { login_type: 'google_password' })] };
        return {
          ...base,
          events: [event('login', 'login_failure', {
            login_type: 'google_password', login_challenge_method: ['password'], login_failure_type: 'login_failure_invalid_password', is_suspicious: false,
          })],
        };
      }
      case 'saml': {
        const app = this.prng.pick(SAML_APPS);
        if (this.prng.chance(0.85)) {
          return { ...base, events: withParams(this.templates.samlLoginSuccess, { application_name: app, orgunit_path: user.orgUnitPath, initiated_by: 'sp' }) };
        }
        return { ...base, events: [event('login', 'login_failure', { application_name: app, failure_type: 'failure_app_not_configured_for_user', initiated_by: 'idp', orgunit_path: user.orgUnitPath })] };
      }
      case 'admin': {
        const admin = this.admin();
        const adminBase = { ...base, actor: this.actorOf(admin) };
        const kind = this.prng.weighted([['group', 40], ['setting', 30], ['password', 30]] as const);
        if (kind === 'group' && this.directory.groups.length > 0) {
          return { ...adminBase, events: withParams(this.templates.addGroupMember, { USER_EMAIL: user.primaryEmail, GROUP_EMAIL: this.prng.pick(this.directory.groups).email }) };
        }
        if (kind === 'password') return { ...adminBase, events: [event('USER_SETTINGS', 'CHANGE_PASSWORD', { USER_EMAIL: user.primaryEmail })] };
        return {
          ...adminBase,
          events: [event('APPLICATION_SETTINGS', 'CHANGE_APPLICATION_SETTING', {
            APPLICATION_NAME: 'Drive and Docs', SETTING_NAME: 'Sharing options', OLD_VALUE: 'ALLOWED', NEW_VALUE: 'TRUSTED_DOMAINS', ORG_UNIT_NAME: 'Engineering',
          })],
        };
      }
      case 'drive': {
        const files = (this.#myDriveFiles ??= [...this.drive.files.values()].filter((f) => !f.driveId && f.owner && f.mimeType !== 'application/vnd.google-apps.folder'));
        if (files.length === 0) return { ...base, events: [event('access', 'view', { doc_id: 'none', doc_type: 'unknown', doc_title: 'none' })] };
        const file = this.prng.pick(files);
        const owner = this.directory.users.find((u) => u.primaryEmail === file.owner) ?? user;
        const docParams = this.docParams(file);
        if (this.prng.chance(0.2)) {
          const target = this.someUser();
          return {
            ...base, actor: this.actorOf(owner),
            events: withParams(this.templates.driveEditAndShare, { ...docParams, target_user: target.primaryEmail, visibility_change: 'none', old_visibility: 'private', visibility: 'shared_internally' }),
          };
        }
        const name = this.prng.weighted([['view', 60], ['edit', 25], ['download', 15]] as const);
        return { ...base, actor: this.actorOf(owner), events: [{ ...withParams([this.templates.driveEditAndShare[0]!], docParams)[0]!, type: 'access', name }] };
      }
      case 'token': {
        const app = this.prng.pick(this.directory.apps);
        const values = { client_id: app.clientId, app_name: app.name, client_type: app.clientType, scope: app.scopes };
        const kind = this.prng.weighted([['authorize', 40], ['activity', 45], ['revoke', 15]] as const);
        if (kind === 'activity') return { ...base, events: [event('auth', 'activity', { client_id: app.clientId, app_name: app.name, client_type: app.clientType, api_name: 'drive', method_name: 'drive.files.list' })] };
        const template = kind === 'authorize' ? this.templates.tokenAuthorize : this.templates.tokenRevoke;
        return { ...base, events: withParams(template, values).map((e) => ({ ...e, parameters: (e.parameters ?? []).filter((p) => p.name !== 'scope_data') })) };
      }
      case 'groups': {
        const group = this.directory.groups.length > 0 ? this.prng.pick(this.directory.groups).email : `team@${this.directory.domain}`;
        const name = this.prng.weighted([['add_user', 50], ['remove_user', 25], ['join', 25]] as const);
        return { ...base, events: [event('user_change', name, { group_email: group, user_email: user.primaryEmail })] };
      }
      case 'mobile': {
        const [deviceType, model, os] = this.prng.pick(DEVICE_MODELS);
        const name = this.prng.weighted([['DEVICE_SYNC_EVENT', 70], ['DEVICE_REGISTER_UNREGISTER_EVENT', 30]] as const);
        return {
          ...base,
          events: [event(name === 'DEVICE_SYNC_EVENT' ? 'device_updates' : 'device_registration_events', name, {
            DEVICE_ID: this.prng.hex(16), DEVICE_MODEL: model, OS_VERSION: os, DEVICE_TYPE: deviceType, USER_EMAIL: user.primaryEmail,
            ...(name === 'DEVICE_REGISTER_UNREGISTER_EVENT' ? { ACCOUNT_STATE: 'REGISTERED' } : {}),
          })],
        };
      }
    }
  }

  /** The `doc_*` and `owner` parameters Drive events carry for a file. */
  docParams(file: SimFile): Record<string, ParamValue> {
    const docType = file.mimeType.startsWith('application/vnd.google-apps.') ? file.mimeType.slice('application/vnd.google-apps.'.length) : file.mimeType.split('/')[1] ?? 'unknown';
    return {
      doc_id: file.id, doc_title: file.name, doc_type: docType, owner: file.owner ?? '', owner_is_shared_drive: file.driveId !== undefined,
      owner_is_team_drive: file.driveId !== undefined, visibility: this.drive.visibility(file),
    };
  }

  /** The whole activity resource: kind, id (time, unique qualifier, application, customer), etag, actor, address, events. */
  render(draft: ActivityDraft, timeMs: number, uniqueQualifier: string): Json {
    const activity: Json = {
      kind: 'admin#reports#activity',
      id: { time: isoString(timeMs), uniqueQualifier, applicationName: draft.application, customerId: this.directory.customerId },
      etag: googleIds.etag(this.prng),
      actor: draft.actor,
    };
    if (draft.ipAddress) activity.ipAddress = draft.ipAddress;
    activity.events = draft.events;
    return activity;
  }
}
