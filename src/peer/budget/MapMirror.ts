/**
 * Keeps the documents' small shared maps (the pipeline's lease and run: the layout's maps) the
 * same in a node's own document and its mesh document. The entity log goes through the
 * `MeshGateway`; these are a few keys changed every few seconds, so they cross at once.
 *
 * The mesh document decides: a key set on both sides concurrently resolves there (Yjs's rule for
 * maps, the same on every node) and the result is copied back, so both documents agree.
 */
import * as Y from 'yjs';

export class MapMirror {
  private readonly names: ReadonlySet<string>;

  constructor(
    private readonly local: Y.Doc,
    private readonly mesh: Y.Doc,
    /** The maps to mirror (no other root crosses). */
    names: readonly string[],
    /** The origin of copies into the mesh document (the mesh counts their bytes by it). */
    private readonly meshOrigin: object = {},
  ) {
    this.names = new Set(names);
    local.on('afterTransaction', this.fromLocal);
    mesh.on('afterTransaction', this.fromMesh);
    for (const name of this.mapNames(local)) this.copyKeys(local, mesh, name, null, meshOrigin);
  }

  destroy(): void {
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
    const differing = names.filter((key) => JSON.stringify(source.get(key)) !== JSON.stringify(target.get(key)));
    if (differing.length === 0) return;
    to.transact(() => {
      for (const key of differing) {
        if (source.has(key)) target.set(key, source.get(key));
        else target.delete(key);
      }
    }, origin);
  }

  private mapNames(doc: Y.Doc): string[] {
    return [...doc.share.keys()].filter((name) => this.names.has(name));
  }
}

function rootName(doc: Y.Doc, type: Y.AbstractType<any>): string | undefined { // eslint-disable-line @typescript-eslint/no-explicit-any -- Yjs types its roots so
  for (const [name, root] of doc.share) if (root === type) return name;
  return undefined;
}
