// score.js - VADER's compound score of each line of stdin, one per line,
// from the npm port of VADER: the reference bench/score_bench.py times and
// compares `vigie score --lang en` against.
'use strict';

const readline = require('readline');
const vader = require('vader-sentiment');

const rl = readline.createInterface({ input: process.stdin, crlfDelay: Infinity });
const out = [];

rl.on('line', (line) => {
	const s = vader.SentimentIntensityAnalyzer.polarity_scores(line);
	out.push(s.compound.toFixed(4));
	// Batched writes: one write per line would time the pipe, not VADER.
	if (out.length === 4096) {
		process.stdout.write(out.join('\n') + '\n');
		out.length = 0;
	}
});
rl.on('close', () => {
	if (out.length > 0)
		process.stdout.write(out.join('\n') + '\n');
});
