// Rules optic's breaking-changes ruleset lacks (optic 1.0.9), loaded by
// optic.yml: a request constraint tightened, and a query parameter removed
// (the service answers an unknown query parameter with 400, so a client that
// sends a removed one breaks).
const { OperationRule, RequestRule, RuleError, Ruleset } = require('@useoptic/rulesets-base');

// What a request value may be, as schema keywords; each returns a reason when
// `after` accepts less than `before`.
const tightened = (before = {}, after = {}) => {
  const reasons = [];
  const lower = (key) => {
    if (after[key] !== undefined && (before[key] === undefined || after[key] < before[key]))
      reasons.push(`${key} ${before[key] ?? 'unset'} -> ${after[key]}`);
  };
  const higher = (key) => {
    if (after[key] !== undefined && (before[key] === undefined || after[key] > before[key]))
      reasons.push(`${key} ${before[key] ?? 'unset'} -> ${after[key]}`);
  };
  ['maxLength', 'maximum', 'maxItems', 'maxProperties'].forEach(lower);
  ['minLength', 'minimum', 'minItems', 'minProperties'].forEach(higher);
  if (after.pattern !== undefined && after.pattern !== before.pattern)
    reasons.push(`pattern ${before.pattern ?? 'unset'} -> ${after.pattern}`);
  if (after.format !== undefined && after.format !== before.format)
    reasons.push(`format ${before.format ?? 'unset'} -> ${after.format}`);
  if (before.nullable === true && after.nullable !== true) reasons.push('no longer nullable');
  for (const key of ['exclusiveMaximum', 'exclusiveMinimum', 'uniqueItems'])
    if (after[key] === true && before[key] !== true) reasons.push(`${key} added`);
  return reasons;
};

const requestConstraints = new RequestRule({
  name: 'prevent tightening request constraints',
  rule: (request) => {
    request.property.changed((before, after) => {
      const reasons = tightened(before.value.flatSchema, after.value.flatSchema);
      if (reasons.length)
        throw new RuleError({
          message: `cannot tighten request property '${after.value.key}' (${reasons.join(', ')}). This is a breaking change.`,
        });
    });
  },
});

const queryParameters = new OperationRule({
  name: 'prevent removing or tightening query parameters',
  rule: (operation) => {
    operation.queryParameter.removed((before) => {
      throw new RuleError({
        message: `cannot remove query parameter '${before.value.name}'. This is a breaking change.`,
      });
    });
    operation.queryParameter.changed((before, after) => {
      const reasons = tightened(before.value.schema, after.value.schema);
      if (reasons.length)
        throw new RuleError({
          message: `cannot tighten query parameter '${after.value.name}' (${reasons.join(', ')}). This is a breaking change.`,
        });
    });
  },
});

module.exports = {
  configSchema: {},
  rulesetConstructor: () =>
    new Ruleset({ name: 'users-service compat', rules: [requestConstraints, queryParameters] }),
};
