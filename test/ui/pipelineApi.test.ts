/**
 * `lattice.pipeline.load()` never replaces a run another node loaded unless told to: two
 * replicas of one mesh document, each with its own host and scripting API (no worker is needed:
 * a load writes the run into the document).
 */
import * as Y from 'yjs';
import { StateError, ValidationError } from '../../src/crdt/index.js';
import { createPipelineApi } from '../../src/ui/pipelineApi.js';
import { PipelineHost } from '../../src/workers/index.js';
import { currentRunId } from '../../src/workers/RunConfig.js';
import { check, checkEqual } from './assert.js';

/** Two documents kept in sync both ways, as two linked nodes. */
function pair(): [Y.Doc, Y.Doc] {
  const a = new Y.Doc();
  const b = new Y.Doc();
  a.on('update', (u: Uint8Array, origin: unknown) => origin !== b && Y.applyUpdate(b, u, a));
  b.on('update', (u: Uint8Array, origin: unknown) => origin !== a && Y.applyUpdate(a, u, b));
  return [a, b];
}

async function refusal(p: Promise<unknown>): Promise<Error | undefined> {
  try {
    await p;
    return undefined;
  } catch (error) {
    return error as Error;
  }
}

describe('lattice.pipeline.load', () => {
  it('refuses to replace another node\'s run without { replace: true }, and changes nothing', async () => {
    const [docA, docB] = pair();
    const alpha = createPipelineApi(new PipelineHost({ doc: docA, node: 'alpha' }));
    const bravo = createPipelineApi(new PipelineHost({ doc: docB, node: 'bravo' }));
    await alpha.load('default', 7);
    const first = currentRunId(docB);
    check(first !== undefined, 'Bravo has Alpha\'s run');

    const error = await refusal(bravo.load('hard', 3));
    check(error instanceof StateError, `a StateError: ${String(error)}`);
    check(error.message.includes('loaded by another node') && error.message.includes('{ replace: true }'), `says why and what to do: ${error.message}`);
    checkEqual(currentRunId(docA), first, 'Alpha still runs its run');
    checkEqual(currentRunId(docB), first, 'and so does Bravo');
    check(await refusal(bravo.load('hard', { seed: 3 })) instanceof StateError, 'with options but no replace: refused too');

    // Its own run a node replaces without asking anyone.
    await alpha.load('default', 8);
    const second = currentRunId(docB);
    check(second !== undefined && second !== first, 'Alpha replaced its own run');

    await bravo.load('hard', 3, { replace: true });
    const third = currentRunId(docA);
    check(third !== undefined && third !== second, 'replace: true replaces it, on both');
    await bravo.load('hard', { seed: 4, replace: true });
    // Now Bravo's run is Bravo's own: no option needed, and Alpha must ask again.
    await bravo.load('default', 5);
    check(await refusal(alpha.load('default', 6)) instanceof StateError, 'Alpha must ask to replace Bravo\'s run');

    // Once the run has ended there is nothing to replace.
    bravo.unload();
    checkEqual(currentRunId(docA), undefined, 'ended');
    await alpha.load('default', 6);
    check(currentRunId(docB) !== undefined, 'a load after the end asks nobody');
  });

  it('refuses options that are not options', async () => {
    const alpha = createPipelineApi(new PipelineHost({ doc: new Y.Doc(), node: 'alpha' }));
    check((await refusal(alpha.load('default', 1, { replace: 'yes' } as never))) instanceof ValidationError, 'replace must be a boolean');
    check((await refusal(alpha.load('default', { force: true } as never))) instanceof ValidationError, 'unknown option');
    check((await refusal(alpha.load('default', '7' as never))) instanceof ValidationError, 'a seed is a number');
  });
});
