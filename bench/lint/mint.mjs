// The peer in the lint benchmark: npm `mint-filter` (Aho-Corasick in JavaScript) on the
// same dictionary and corpus as fanloop-text. Prints one line the harness parses.
//   node mint.mjs DICT CORPUS RUNS
import { readFileSync } from 'node:fs';
import mint from 'mint-filter';

const Mint = mint.Mint ?? mint.default ?? mint;
const [dictPath, corpusPath, runsArg] = process.argv.slice(2);
const words = readFileSync(dictPath, 'utf8').split('\n').filter((w) => w && !w.startsWith('#'));
const text = readFileSync(corpusPath, 'utf8');
const bytes = Buffer.byteLength(text, 'utf8');

let t = process.hrtime.bigint();
const filter = new Mint(words);
const buildMs = Number(process.hrtime.bigint() - t) / 1e6;

let best = Infinity;
let bestCpu = Infinity;
let found = 0;
for (let i = 0; i < Number(runsArg || 3); i++) {
  t = process.hrtime.bigint();
  const cpu = process.cpuUsage();
  const result = filter.filter(text, { replace: false });
  const used = process.cpuUsage(cpu);
  best = Math.min(best, Number(process.hrtime.bigint() - t) / 1e9);
  bestCpu = Math.min(bestCpu, (used.user + used.system) / 1e6);
  found = result.words.length;
}
const mb = bytes / 1e6;
console.log(
  `mint-filter terms=${words.length} build_ms=${buildMs.toFixed(1)} distinct_words_found=${found} ` +
    `best_s=${best.toFixed(3)} mb_per_s=${(mb / best).toFixed(2)} cpu_mb_per_s=${(mb / bestCpu).toFixed(2)}`,
);
