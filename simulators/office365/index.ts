export { startOffice365Simulator, type Office365Simulator, type Office365RequestCounters, type SimFile, type ShareKind } from './simulator.js';
export type { Office365SimulatorOptions, ResolvedOffice365Options } from './options.js';
export { ALL_GRAPH_PERMISSIONS, ALL_MANAGEMENT_PERMISSIONS } from './options.js';
export type { Tenant, GraphUser, GraphGroup, DirectoryRole, ServicePrincipal, PermissionGrant, AppRoleAssignment, SensitivityLabel } from './tenant.js';
export { aliceUpn } from './tenant.js';
export type { AuditRecord, ContentType } from './audit-records.js';
export { CONTENT_TYPES } from './audit-records.js';
export type { ContentBlob, BlobTiming } from './audit-log.js';
