/**
 * Keeps the documents' small shared maps (the pipeline's lease and run: the layout's maps) the
 * same in a node's own document and its mesh document. The entity log goes through the
 * `MeshGateway`; these are a few keys changed every few seconds, so they cross at once.
 *
 * The mesh document decides: a key set on both sides concurrently resolves there (Yjs's rule for
 * maps, the same on every node) and the result is copied back, so both documents agree.
 *
 * A value this node wrote (one with no seal yet) is signed on its way into the mesh document
 * (`seal`, see `trust/mapSeal.ts`); the signed value then comes back to the node's own.
 */
import * as Y from 'yjs';

/** Signs a value of `map`/`key` for the mesh; undefined when this node may not publish it. */
export type MapSealer = (map: string, key: string, value: Record<string, unknown>) => Promise<Record<string, unknown> | undefined>;

export class MapMirror {
  private readonly names: ReadonlySet<string>;
  /** The latest value being signed per map and key: only the newest is published. */
  private readonly signing = new Map<string, unknown>();
  private destroyed = false;

  constructor(
    private readonly local: Y.Doc,
    private readonly mesh: Y.Doc,
    /** The maps to mirror (no other root crosses). */
    names: readonly string[],
    /** The origin of copies into the mesh document (the mesh counts their bytes by it). */
    private readonly meshOrigin: object = {},
    private readonly sealer?: MapSealer,
  ) {
    this.names = new Set(names);
    local.on('afterTransaction', this.fromLocal);
    mesh.on('afterTransaction', this.fromMesh);
    for (const name of this.mapNames(local)) this.copyKeys(local, mesh, name, null, meshOrigin);
  }

  destroy(): void {
    this.destroyed = true;
    this.local.off('afterTransaction', this.fromLocal);
    this.mesh.off('afterTransaction', this.fromMesh);
  }

  private readonly fromLocal = (transaction: Y.Transaction): void => {
    if (transaction.origin === this) return;
    this.copyChanged(transaction, this.local, this.mesh, this.meshOrigin);
  };

  private readonly fromMesh = (transaction: Y.Transaction): void => {
    if (transaction.origin === this.meshOrigin) return;
    this.copyChanged(transaction, this.mesh, this.local, this);
  };

  private copyChanged(transaction: Y.Transaction, from: Y.Doc, to: Y.Doc, origin: object): void {
    for (const [type, keys] of transaction.changed) {
      if (type._item !== null || !(type instanceof Y.Map || type.constructor === Y.AbstractType)) continue;
      const name = rootName(from, type);
      if (name === undefined || !this.names.has(name)) continue;
      this.copyKeys(from, to, name, keys, origin);
    }
  }

  /** Copies the given keys (all when null) of map `name` where they differ. */
  private copyKeys(from: Y.Doc, to: Y.Doc, name: string, keys: ReadonlySet<string | null> | null, origin: object): void {
    const source = from.getMap<unknown>(name);
    const target = to.getMap<unknown>(name);
    const names = keys === null ? [...source.keys()] : [...keys].filter((k): k is string => k !== null);
    let differing = names.filter((key) => JSON.stringify(source.get(key)) !== JSON.stringify(target.get(key)));
    if (to === this.mesh && this.sealer) {
      const unsigned = differing.filter((key) => isUnsealedRecord(source.get(key)));
      for (const key of unsigned) this.sealThenCopy(name, key, source.get(key) as Record<string, unknown>);
      differing = differing.filter((key) => !unsigned.includes(key));
    }
    if (differing.length === 0) return;
    to.transact(() => {
      for (const key of differing) {
        if (source.has(key)) target.set(key, source.get(key));
        else target.delete(key);
      }
    }, origin);
  }

  private sealThenCopy(name: string, key: string, value: Record<string, unknown>): void {
    const slot = `${name}\u0000${key}`;
    this.signing.set(slot, value);
    this.sealer!(name, key, value)
      .then((sealed) => {
        // A newer value was given meanwhile: that one is published, not this.
        if (this.destroyed || this.signing.get(slot) !== value) return;
        this.signing.delete(slot);
        if (sealed) this.mesh.transact(() => this.mesh.getMap<unknown>(name).set(key, sealed), this.meshOrigin);
      })
      .catch((error: unknown) => console.error(`lattice: a value of ${name} could not be signed`, error));
  }

  private mapNames(doc: Y.Doc): string[] {
    return [...doc.share.keys()].filter((name) => this.names.has(name));
  }
}

function isUnsealedRecord(value: unknown): boolean {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && !('seal' in value);
}

function rootName(doc: Y.Doc, type: Y.AbstractType<any>): string | undefined { // eslint-disable-line @typescript-eslint/no-explicit-any -- Yjs types its roots so
  for (const [name, root] of doc.share) if (root === type) return name;
  return undefined;
}
