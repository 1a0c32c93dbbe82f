// Loads a model folder's tokenizer with transformers.js's AutoTokenizer,
// which starts from tokenizer_config.json, and prints, as one JSON object,
// the class it chose and the ids of each string of a JSON list (special
// tokens added as the folder's config says, their names in the text parsed
// as the tokens).
//
//   NODE_PATH=.../node_modules node autotokenizer.mjs FOLDER STRINGS.json
import { createRequire } from 'node:module';
import fs from 'node:fs';
import path from 'node:path';

const require = createRequire(path.join(process.env.NODE_PATH, 'x.js'));
const { AutoTokenizer, env } = require('@huggingface/transformers');
const [folder, stringsFile] = process.argv.slice(2);
env.allowRemoteModels = false;
env.localModelPath = path.dirname(path.resolve(folder)) + path.sep;
const tok = await AutoTokenizer.from_pretrained(path.basename(folder));
const strings = JSON.parse(fs.readFileSync(stringsFile, 'utf8'));
const ids = strings.map((s) => Array.from(tok.encode(s)));
console.log(JSON.stringify({ class: tok.constructor.name, ids }));
