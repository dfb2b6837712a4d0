// Lets `node --test tests/browser/` find the suite; the suite itself is
// run.mjs (`node tests/browser/run.mjs` runs it directly).
import './run.mjs';
