/**
 * CoT messages as TAK clients send them, kept verbatim as test data (only whitespace between
 * elements differs where noted). Sources:
 *
 * - `ATAK_PLI`: an ATAK-CIV 3.12 position report (a-f-G-U-C with takv, contact, uid, __group,
 *   status, track, precisionlocation), one of several captured messages kept in a public Python
 *   helper found through the code search index (document id 521887904; its repository is not
 *   named there).
 * - `ITAK_PLI`: an iTAK 2.7 position report, from dfpc-coe/node-CoT, test/cot-itak.test.ts.
 * - `WINTAK_PLI`: a WinTAK 1.10 position report (a-f-G-U-C-I) from the same capture as ATAK_PLI.
 * - `SPOT_MARKER`: an ATAK spot map marker (b-m-p-s-m, with two <archive/> and a link to its
 *   creator), from dfpc-coe/node-CoT, test/cot-spotted.test.ts (indentation removed).
 * - `GEOCHAT`: an ATAK GeoChat message (b-t-f), in the form node-CoT's DirectChat builder and
 *   its WinTAK receipt test show (dfpc-coe/node-CoT, test/chat.test.ts), times filled in.
 * - `HOSTILE_AIR`: a hostile military fixed-wing track (a-h-A-M-F, the type MIL-STD-2525's
 *   hierarchy gives it) as a TAK gateway sends one: the event and point attributes as above, a
 *   callsign, a track and remarks; written here for the test, no public sample found.
 */
export const ATAK_PLI =
  '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<event version="2.0" uid="ANDROID-351811095448994" type="a-f-G-U-C" time="2020-02-09T13:20:43.051Z" start="2020-02-09T13:20:43.051Z" stale="2020-02-09T13:26:58.051Z" how="h-e"><point lat="43.967473" lon="-66.126041" hae="41.86958281560347" ce="242.2" le="9999999.0"/><detail><takv os="28" version="3.12.0-45691.45691-CIV" device="SAMSUNG SM-G950W" platform="ATAK-CIV"/><contact endpoint="*:-1:stcp" phone="+19027480992" callsign="C0rv0"/><uid Droid="C0rv0"/><precisionlocation altsrc="GPS" geopointsrc="GPS"/><__group role="Team Member" name="Yellow"/><status battery="92"/><track course="278.424048280084" speed="0.0"/></detail></event>';

export const ATAK_PLI_MOVING =
  '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<event version="2.0" uid="ANDROID-7C:91:22:E8:6E:4D" type="a-f-G-U-C" time="2020-02-09T13:21:26.437Z" start="2020-02-09T13:21:26.437Z" stale="2020-02-09T13:27:41.437Z" how="m-g"><point lat="43.855701" lon="-66.108093" hae="14.495629236665277" ce="9.0" le="9999999.0"/><detail><takv device="SAMSUNG SM-G530W" platform="ATAK-CIV" os="22" version="3.12.0-45691.45691-CIV"/><contact phone="19027743142" endpoint="*:-1:stcp" callsign="ghosty"/><uid Droid="ghosty"/><precisionlocation geopointsrc="GPS" altsrc="GPS"/><__group name="Cyan" role="Sniper"/><status battery="89"/><track speed="0.0" course="264.31458179841906"/></detail></event>';

export const WINTAK_PLI =
  '<?xml version="1.0" encoding="utf-8" standalone="yes"?>\n<event version="2.0" uid="3d587af7-dfb1-475e-bf37-247f27732320" type="a-f-G-U-C-I" time="2020-02-09T19:22:01.2Z" start="2020-02-09T19:22:01.2Z" stale="2020-02-09T19:28:16.2Z" how="h-g-i-g-o"><point lat="0" lon="0" hae="0" ce="9999999" le="9999999"/><detail><takv version="1.10.0.137" platform="WinTAK-CIV" os="Microsoft Windows 10 Home" device="System manufacturer System Product Name"/><contact callsign="NOAH" endpoint="*:-1:stcp"/><uid Droid="NOAH"/><__group name="Cyan" role="Team Member"/><status battery="100"/><track course="0.00000000" speed="0.00000000"/></detail></event>';

export const ITAK_PLI =
  '<event version="2.0" uid="C94B9215-9BD4-4DBE-BDE1-83625F09153F" type="a-f-G-E-V-C" time="2023-07-18T15:23:09.00Z" start="2023-07-18T15:23:09.00Z" stale="2023-07-18T15:25:09.00Z" how="m-g"><point lat="41.52309645" lon="-107.72376567" hae="1681.23725821" ce="9999999" le="9999999" /><detail><contact callsign="DFPC-iSchmidt" phone="7204258729" endpoint="*:-1:stcp" /><uid Droid="DFPC-iSchmidt" /><__group name="Yellow" role="Team Member" /><precisionlocation geopointsrc="GPS" altsrc="???" /><status battery="100" /><takv device="iPhone" platform="iTAK" os="16.5.1" version="2.7.0.609" /><track speed="0.00000000" course="137.23542786" /></detail></event>';

export const SPOT_MARKER =
  "<event version='2.0' uid='9405e320-9356-41c4-8449-f46990aa17f8' type='b-m-p-s-m' time='2020-12-16T19:59:34.913Z' start='2020-12-16T19:59:34.913Z' stale='2021-01-02T20:40:03.841Z' how='h-g-i-g-o'><point lat='38.85606343062312' lon='-77.0563755018233' hae='9999999.0' ce='9999999.0' le='9999999.0' /><detail><status readiness='true'/><archive/><link uid='ANDROID-589520ccfcd20f01' production_time='2020-12-16T19:51:09.603Z' type='a-f-G-U-C' parent_callsign='HOPE' relation='p-p'/><contact callsign='R 1'/><remarks></remarks><archive/><color argb='-65536'/><precisionlocation altsrc='???'/><usericon iconsetpath='COT_MAPPING_SPOTMAP/b-m-p-s-m/-65536'/></detail></event>";

export const GEOCHAT =
  '<event version="2.0" uid="GeoChat.ANDROID-589520ccfcd20f01.All Chat Rooms.5e4f6a1b-93c2-4d0e-8c53-0b1d3e7a9f21" type="b-t-f" how="h-g-i-g-o" time="2020-12-16T19:59:34.913Z" start="2020-12-16T19:59:34.913Z" stale="2020-12-17T19:59:34.913Z"><point lat="38.8560" lon="-77.0563" hae="9999999.0" ce="9999999.0" le="9999999.0"/><detail><__chat parent="RootContactGroup" groupOwner="false" messageId="5e4f6a1b-93c2-4d0e-8c53-0b1d3e7a9f21" chatroom="All Chat Rooms" id="All Chat Rooms" senderCallsign="HOPE"><chatgrp uid0="ANDROID-589520ccfcd20f01" uid1="All Chat Rooms" id="All Chat Rooms"/></__chat><link uid="ANDROID-589520ccfcd20f01" type="a-f-G-U-C" relation="p-p"/><remarks source="BAO.F.ATAK.ANDROID-589520ccfcd20f01" to="All Chat Rooms" time="2020-12-16T19:59:34.913Z">Contact north of the bridge</remarks></detail></event>';

export const HOSTILE_AIR =
  '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<event version="2.0" uid="TRK-7f3a9c" type="a-h-A-M-F" time="2024-05-01T12:00:00.000Z" start="2024-05-01T12:00:00.000Z" stale="2024-05-01T12:02:00.000Z" how="m-r"><point lat="51.4711" lon="1.9123" hae="7620.0" ce="350.0" le="150.0"/><detail><contact callsign="BANDIT 1"/><track course="262.5" speed="231.5"/><remarks>Fast mover westbound, no IFF response</remarks></detail></event>';

/** The same hostile without a callsign: its class comes from its type. */
export const HOSTILE_AIR_UNNAMED = HOSTILE_AIR.replace('<contact callsign="BANDIT 1"/>', '').replace('TRK-7f3a9c', 'TRK-7f3a9d');

/**
 * A sample moved in time so that its `time` is `now` (its start, stale and link times shift with
 * it): the samples are years stale, and a node admits no stale event.
 */
export function redated(sample: string, now = Date.now()): string {
  const time = /\btime=(["'])([^"']+)\1/.exec(sample);
  if (!time) throw new Error('the sample has no time');
  const shift = now - Date.parse(time[2]!);
  return sample.replace(/\b(time|start|stale|production_time)=(["'])([^"']+)\2/g, (_, k: string, q: string, t: string) => `${k}=${q}${new Date(Date.parse(t) + shift).toISOString()}${q}`);
}

/** The PLI, the hostile track and the spot marker as one capture, dated now. */
export function liveCapture(now = Date.now()): string {
  return [ATAK_PLI, HOSTILE_AIR, SPOT_MARKER].map((sample) => redated(sample, now)).join('\n');
}

/** Hostile or broken inputs, each with why it must be refused. */
export const BAD_COT: ReadonlyArray<readonly [string, string]> = [
  ['not XML', 'this is not xml'],
  ['unclosed event', '<event uid="x" type="a-h-A" time="2024-05-01T12:00:00Z" start="2024-05-01T12:00:00Z" stale="2024-05-01T12:05:00Z"><point lat="1" lon="2"/>'],
  ['mismatched tags', '<event uid="x"><point lat="1" lon="2"></detail></event>'],
  [
    'billion laughs',
    '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;"><!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]><event uid="&lol3;" type="a-h-A" time="2024-05-01T12:00:00Z" start="2024-05-01T12:00:00Z" stale="2024-05-01T12:05:00Z"><point lat="1" lon="2"/></event>',
  ],
  ['external entity', '<!DOCTYPE e [<!ENTITY x SYSTEM "file:///etc/passwd">]><event uid="&x;"/>'],
  ['undeclared entity', '<event uid="a&foo;b" type="a-h-A" time="2024-05-01T12:00:00Z" start="2024-05-01T12:00:00Z" stale="2024-05-01T12:05:00Z"><point lat="1" lon="2"/></event>'],
  ['NaN latitude', HOSTILE_AIR.replace('lat="51.4711"', 'lat="NaN"')],
  ['latitude out of range', HOSTILE_AIR.replace('lat="51.4711"', 'lat="91"')],
  ['longitude out of range', HOSTILE_AIR.replace('lon="1.9123"', 'lon="-180.5"')],
  ['hex number', HOSTILE_AIR.replace('lat="51.4711"', 'lat="0x10"')],
  ['Infinity speed', HOSTILE_AIR.replace('speed="231.5"', 'speed="Infinity"')],
  ['bad time', HOSTILE_AIR.replace('time="2024-05-01T12:00:00.000Z"', 'time="yesterday"')],
  ['impossible date', HOSTILE_AIR.replace('time="2024-05-01T12:00:00.000Z"', 'time="2024-13-45T25:61:00Z"')],
  ['stale before start', HOSTILE_AIR.replace('stale="2024-05-01T12:02:00.000Z"', 'stale="2024-05-01T11:00:00.000Z"')],
  ['no point', HOSTILE_AIR.replace(/<point[^>]*\/>/, '')],
  ['no uid', HOSTILE_AIR.replace('uid="TRK-7f3a9c" ', '')],
  ['uid not an entity id', HOSTILE_AIR.replace('uid="TRK-7f3a9c"', 'uid="has spaces in it"')],
  ['unknown type', HOSTILE_AIR.replace('type="a-h-A-M-F"', 'type="x-y-z"')],
  ['unknown affiliation', HOSTILE_AIR.replace('type="a-h-A-M-F"', 'type="a-q-A"')],
  ['GeoChat', GEOCHAT],
  ['prototype name', '<event __proto__="1" uid="x"/>'],
  ['bad __lattice JSON', HOSTILE_AIR.replace('</detail>', '<__lattice>{"threat":</__lattice></detail>')],
  ['__lattice approval smuggled', HOSTILE_AIR.replace('</detail>', '<__lattice>{"approval":{"requestId":"r"}}</__lattice></detail>')],
  ['__lattice bad threat', HOSTILE_AIR.replace('</detail>', '<__lattice>{"threat":{"level":"apocalyptic"}}</__lattice></detail>')],
  ['room entity', HOSTILE_AIR.replace('uid="TRK-7f3a9c"', 'uid="room"')],
  ['deep nesting', `<event uid="x">${'<a>'.repeat(40)}${'</a>'.repeat(40)}</event>`],
  ['too long callsign', HOSTILE_AIR.replace('BANDIT 1', 'B'.repeat(100))],
];
