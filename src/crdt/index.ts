/** Public surface of the CRDT layer. */
export * from './Hlc.js';
export * from './errors.js';
export * from './components.js';
export { EntityStore, ImportOrigin, DEFAULT_TOMBSTONE_GRACE_MS } from './EntityStore.js';
export { LOG_NAME, LEASES_MAP, PIPELINE_MAP, MESH_LAYOUT, mapRootNames } from './docLayout.js';
export { clearForeignRoots } from './foreignRoots.js';
export type { DocLayout, RootRule, MapRoot } from './docLayout.js';
export { UpdateAdmission } from './UpdateAdmission.js';
export type { AppendSource } from './EntityStore.js';
export type { EntityStoreOptions, EntityEvent, StoreEvents, StoreHealth, ChangeOrigin, EntityView, EntityChange } from './EntityStore.js';
export { fnv1a32, fnv1a64, combineHashes } from './digest.js';
export * from './journal.js';
export type { ChangedPart } from './EntityIndex.js';
export * from './approval.js';
export { ApprovalDesk } from './ApprovalDesk.js';
export type { Actor, ActorRole, PendingApproval } from './ApprovalDesk.js';
export { TaskBoard, TASK_TRANSITIONS, isTerminal, taskIdFor, haversineM } from './TaskBoard.js';
export type { RawBatch, RawWrite, DecodedBatch, DecodedWrite } from './batch.js';
