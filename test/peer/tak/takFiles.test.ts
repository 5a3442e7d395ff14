/** CoT and KML files in and out of a node: kinds, roles, KML both ways, and a second node seeing an import. */
import { expect } from 'chai';
import * as Y from 'yjs';
import { PermissionError, ValidationError } from '../../../src/crdt/index.js';
import { exportCotFile, exportKmlFile, importTakFile, parseCot, parseKml, takFileKind } from '../../../src/peer/tak/index.js';
import { MemoryMesh, MemoryNode } from '../../ui/MemoryNode.js';
import { ATAK_PLI, HOSTILE_AIR, liveCapture, redated } from './cotSamples.js';

describe('TAK files', () => {
  it('tells KML from CoT by the root element', () => {
    expect(takFileKind('<?xml version="1.0"?>\n<kml xmlns="http://www.opengis.net/kml/2.2"></kml>')).to.equal('kml');
    expect(takFileKind(ATAK_PLI)).to.equal('cot');
  });

  it('imports a CoT capture on one node and the other node of the mesh shows it', () => {
    const mesh = new MemoryMesh();
    const a = new MemoryNode({ name: 'alpha' });
    const b = new MemoryNode({ name: 'bravo' });
    mesh.add(a);
    mesh.add(b);
    const result = importTakFile(a, liveCapture());
    expect(result.kind).to.equal('cot');
    expect(result.created).to.have.length(3);
    expect(b.store.get('TRK-7f3a9c')!.components.affiliation).to.deep.equal({ value: 'hostile' });
    expect(b.store.get('9405e320-9356-41c4-8449-f46990aa17f8')!.type).to.equal('geo');
    expect(b.store.digest()).to.equal(a.store.digest());
  });

  it('refuses a viewer, writing nothing', () => {
    const viewer = new MemoryNode({ role: 'viewer' });
    const before = Y.encodeStateAsUpdate(viewer.doc);
    expect(() => importTakFile(viewer, redated(HOSTILE_AIR))).to.throw(PermissionError, /viewer/);
    expect(Y.encodeStateAsUpdate(viewer.doc)).to.deep.equal(before);
  });

  it('exports every track, asset and point with a position, with approval state in remarks, and reads it back', () => {
    const a = new MemoryNode({ name: 'alpha' });
    a.store.create('trk-1', 'track', { position: { lat: 50, lon: 1, alt: 3000 }, threat: { level: 'high' }, affiliation: { value: 'hostile' }, classification: { label: 'military', confidence: 0.9 } });
    a.store.create('base-north', 'asset', { position: { lat: 51, lon: 1, alt: 0 } });
    a.store.create('p1', 'geo', { position: { lat: 50.5, lon: 1.5, alt: 0 }, classification: { label: 'Rally', confidence: 1 } });
    a.store.create('no-position', 'track', {});
    a.approvals.request('trk-1', ['intercept']);
    const file = exportCotFile(a);
    expect(file.count).to.equal(3);
    expect(file.fileName).to.match(/^lattice-alpha-\d{8}T\d{6}Z\.cot$/);
    const events = parseCot(file.text);
    const trk = events.find((e) => e.uid === 'trk-1')!;
    expect(trk.type).to.equal('a-h-A-M-F');
    expect(trk.remarks).to.match(/^Approval pending for intercept/);
    expect(trk.lattice?.approval).to.equal('pending');
    const b = new MemoryNode();
    const result = importTakFile(b, file.text);
    expect([...result.created].sort()).to.deep.equal(['base-north', 'p1', 'trk-1']);
    expect(b.store.get('base-north')!.type).to.equal('asset');
    expect(b.store.get('trk-1')!.components.threat).to.deep.equal({ level: 'high' });
    // The request is the mesh's: a file never brings one.
    expect(b.store.get('trk-1')!.components.approval).to.equal(undefined);
  });

  it('KML: exports placemarks styled by affiliation, and reads them back as the same entities', () => {
    const a = new MemoryNode({ name: 'alpha' });
    a.store.create('trk-1', 'track', { position: { lat: 50, lon: 1, alt: 3000 }, affiliation: { value: 'hostile' }, threat: { level: 'medium' } });
    a.store.create('p1', 'geo', { position: { lat: 50.5, lon: 1.5, alt: 12 }, classification: { label: 'Rally <north> & "east"', confidence: 1 } });
    const file = exportKmlFile(a);
    expect(file.text).to.contain('<kml xmlns="http://www.opengis.net/kml/2.2">');
    expect(file.text).to.contain('<styleUrl>#hostile</styleUrl>');
    const b = new MemoryNode();
    expect(importTakFile(b, file.text)).to.deep.include({ kind: 'kml', created: ['trk-1', 'p1'] });
    expect(b.store.get('trk-1')!.components).to.deep.include({ affiliation: { value: 'hostile' }, threat: { level: 'medium' }, position: { lat: 50, lon: 1, alt: 3000 } });
    expect(b.store.get('p1')!.components).to.deep.equal({ position: { lat: 50.5, lon: 1.5, alt: 12 }, classification: { label: 'Rally <north> & "east"', confidence: 1 } });
  });

  it('KML from elsewhere: point placemarks in folders become geo points; lines are counted and left out', () => {
    const kml = `<?xml version="1.0" encoding="UTF-8"?>
<kml xmlns="http://www.opengis.net/kml/2.2"><Document><name>Ops</name><Folder><name>Points</name>
  <Placemark><name>LZ Hawk</name><Point><coordinates>-77.05,38.85,0</coordinates></Point></Placemark>
  <Placemark id="has spaces"><name>OP 2</name><Point><coordinates> -77.06 , 38.86 </coordinates></Point></Placemark>
  <Placemark><name>Route</name><LineString><coordinates>-77,38 -77.1,38.1</coordinates></LineString></Placemark>
</Folder></Document></kml>`;
    const parsed = parseKml(kml, Date.now());
    expect(parsed.notPoints).to.equal(1);
    expect(parsed.entities.map((e) => e.type)).to.deep.equal(['geo', 'geo']);
    expect(parsed.entities[1]!.id).to.match(/^kml\.[0-9a-z]+$/);
    const b = new MemoryNode();
    expect(importTakFile(b, kml).created).to.have.length(2);
    expect(b.store.list('geo').map((v) => v.components.classification?.label).sort()).to.deep.equal(['LZ Hawk', 'OP 2']);
  });

  it('KML that is hostile or broken is refused and writes nothing', () => {
    const b = new MemoryNode();
    const cases = [
      '<?xml version="1.0"?><!DOCTYPE kml [<!ENTITY a "aaaa">]><kml><Placemark><name>&a;</name></Placemark></kml>',
      '<kml><Placemark><Point><coordinates>200,10</coordinates></Point></Placemark></kml>',
      '<kml><Placemark><Point><coordinates>NaN,10</coordinates></Point></Placemark></kml>',
      '<kml><Placemark><Point><coordinates>1</coordinates></Point></Placemark></kml>',
      '<kml><Placemark><ExtendedData><Data name="lattice.type"><value>room</value></Data></ExtendedData><Point><coordinates>1,2</coordinates></Point></Placemark></kml>',
      '<kml><Placemark><ExtendedData><Data name="lattice.affiliation"><value>enemy</value></Data></ExtendedData><Point><coordinates>1,2</coordinates></Point></Placemark></kml>',
      '<kml><Placemark><Point><coordinates>1,2</Point></Placemark></kml>',
    ];
    for (const kml of cases) {
      const before = Y.encodeStateAsUpdate(b.doc);
      expect(() => importTakFile(b, kml), kml).to.throw(ValidationError);
      expect(Y.encodeStateAsUpdate(b.doc)).to.deep.equal(before);
    }
  });
});
