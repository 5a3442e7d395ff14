/**
 * The approval queue's policies as the mesh judges them: a request is pending while
 * `approvalOutcome` over the entity's journal says so, and one that left the queue ended as
 * that outcome says, decided by whom it names (`PendingApprovalsController` takes both).
 */
import { approvalOutcome, type EntityStore } from '../../crdt/index.js';
import type { OutcomeResolver, PendingPolicy } from './PendingApprovalsController.js';

/** Pending as the mesh judges it: `approvalOutcome` over the entity's journal. */
export function meshPendingPolicy(store: EntityStore): PendingPolicy {
  return (entity) => approvalOutcome(store.journal(entity.id), store.wallNow())?.state === 'pending';
}

/** How a request ended and who decided it, from the entity's journal. */
export function meshOutcomeResolver(store: EntityStore): OutcomeResolver {
  return (item) => {
    const outcome = approvalOutcome(store.journal(item.entityId), store.wallNow(), item.requestId);
    if (!outcome || outcome.state === 'pending') return undefined;
    const outcomeName = outcome.state === 'auto_approved' ? 'approved' : outcome.state;
    const decided = outcome.decidedBy?.kind === 'decision' ? outcome.decidedBy : undefined;
    // A person by name, and by the key that signed the decision (its first half: what one compares).
    return { outcome: outcomeName, by: decided && (decided.key ? `${decided.operator} · ${decided.key.slice(0, 9)}` : decided.operator) };
  };
}
