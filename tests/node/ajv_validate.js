// Validate a JSON document against a JSON Schema file with Ajv (draft 2020-12, strict
// mode), using that schema file alone: no other schema is added, nothing is fetched.
// Usage: node ajv_validate.js SCHEMA.json DOCUMENT.json   (NODE_PATH must find ajv)
// Exit 0 valid, 1 invalid (errors printed), 2 the schema itself was refused.
"use strict";
const fs = require("fs");
const Ajv2020 = require("ajv/dist/2020");

const [schemaPath, documentPath] = process.argv.slice(2);
const schema = JSON.parse(fs.readFileSync(schemaPath, "utf8"));
const document = JSON.parse(fs.readFileSync(documentPath, "utf8"));
// strict: unknown keywords, formats and ignored keywords are errors. Union types
// ("type": ["string", "null"]) are standard JSON Schema; Ajv's strictTypes wants them
// allowed explicitly.
const ajv = new Ajv2020({ strict: true, allowUnionTypes: true, allErrors: true });
let validate;
try {
  validate = ajv.compile(schema);
} catch (error) {
  console.log(`schema refused: ${error.message}`);
  process.exit(2);
}
if (validate(document)) {
  console.log("valid");
  process.exit(0);
}
for (const error of validate.errors) {
  console.log(`${error.instancePath || "$"}: ${error.message}`);
}
process.exit(1);
