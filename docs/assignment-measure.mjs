// Measures assignment libraries for docs/assignment-choice.md. The two not chosen are not
// dependencies; to re-run: npm i --no-save munkres-js linear-sum-assignment && node docs/assignment-measure.mjs
import { munkres } from 'munkres';
import munkresJs from 'munkres-js';
import { linearSumAssignment } from 'linear-sum-assignment';

let s = 12345;
const rnd = () => ((s = (s * 1103515245 + 12345) % 2147483648) / 2147483648);
const BIG = 1e6; // gated-out pair: cost of "not assigned" handled by the caller
const gen = (r, c, density) => Array.from({ length: r }, () => Array.from({ length: c }, () => (rnd() < density ? rnd() * 9 : BIG)));
const cost = (m, pairs) => pairs.reduce((a, [i, j]) => a + m[i][j], 0);
function brute(m) {
  const r = m.length, c = m[0].length; let best = Infinity;
  const used = new Array(c).fill(false);
  const rec = (i, acc) => { if (i === r) { best = Math.min(best, acc); return; } for (let j = 0; j < c; j++) if (!used[j]) { used[j] = true; rec(i + 1, acc + m[i][j]); used[j] = false; } };
  rec(0, 0); return best;
}
const solvers = {
  munkres: (m) => munkres(m),
  'munkres-js': (m) => munkresJs(m),
  'linear-sum-assignment': (m) => { const { rowAssignments } = linearSumAssignment(m, { maximaze: false }); const out = []; rowAssignments.forEach((j, i) => { if (j >= 0) out.push([i, j]); }); return out; },
};
// correctness: rows <= cols, vs brute force
let wrong = Object.fromEntries(Object.keys(solvers).map((k) => [k, 0]));
for (let t = 0; t < 300; t++) {
  const r = 1 + Math.floor(rnd() * 5), c = r + Math.floor(rnd() * 3);
  const m = gen(r, c, 0.7); const b = brute(m);
  for (const [k, f] of Object.entries(solvers)) { const p = f(m); if (p.length !== r || Math.abs(cost(m, p) - b) > 1e-9) wrong[k]++; }
}
console.log('wrong answers of 300 random rectangular cases:', wrong);
for (const [r, c, reps] of [[5, 8, 20000], [20, 30, 2000], [100, 120, 50], [400, 450, 3]]) {
  const ms = Array.from({ length: 10 }, () => gen(r, c, Math.min(1, 6 / c)));
  const row = [];
  for (const [k, f] of Object.entries(solvers)) {
    for (let i = 0; i < Math.min(reps, 5); i++) f(ms[i % 10]); // warm
    const t0 = performance.now(); for (let i = 0; i < reps; i++) f(ms[i % 10]); const dt = (performance.now() - t0) / reps;
    row.push(`${k} ${(dt * 1000).toFixed(1)} µs`);
  }
  console.log(`${r}x${c}:`, row.join(' | '));
}
