import type { FastifySchemaValidationError } from 'fastify/types/schema.js';
import { ValidationError } from './errors.js';

/** Laravel shows field names with spaces for underscores ("password confirmation"). */
export function attributeName(field: string): string {
  return field.replace(/^\//, '').replace(/\.\d+$/, '').replace(/[_./]/g, ' ');
}

/** Turns the schema validator's errors into Laravel's 422 messages, one list per field. */
export function laravelValidationError(issues: FastifySchemaValidationError[]): ValidationError {
  const errors: Record<string, string[]> = {};
  for (const issue of issues) {
    const field = fieldOf(issue);
    const message = messageFor(issue, attributeName(field));
    const list = (errors[field] ??= []);
    // One message per field: the first rule that failed, as Laravel's `bail` would show.
    if (list.length === 0) list.push(message);
  }
  return new ValidationError(errors);
}

function fieldOf(issue: FastifySchemaValidationError): string {
  const params = issue.params as Record<string, unknown>;
  if (issue.keyword === 'required' && typeof params.missingProperty === 'string') return params.missingProperty;
  // "/scopes/0" → "scopes.0" as Laravel names array items; messages speak of the array.
  const path = (issue.instancePath ?? '').replace(/^\//, '').split('/');
  return path.length > 1 && /^\d+$/.test(path[1] ?? '') ? `${path[0]}` : path.join('.');
}

function messageFor(issue: FastifySchemaValidationError, name: string): string {
  const params = issue.params as Record<string, unknown>;
  switch (issue.keyword) {
    case 'required':
      return `The ${name} field is required.`;
    case 'minLength':
      return params.limit === 1 ? `The ${name} field is required.` : `The ${name} field must be at least ${String(params.limit)} characters.`;
    case 'maxLength':
      return `The ${name} field must not be greater than ${String(params.limit)} characters.`;
    case 'minimum':
      return `The ${name} field must be at least ${String(params.limit)}.`;
    case 'maximum':
      return `The ${name} field must not be greater than ${String(params.limit)}.`;
    case 'format':
      return params.format === 'email' ? `The ${name} field must be a valid email address.` : `The ${name} field format is invalid.`;
    case 'enum':
    case 'const':
    case 'anyOf':
      return `The selected ${name} is invalid.`;
    case 'type':
      return typeMessage(name, String(params.type));
    default:
      return `The ${name} field is invalid.`;
  }
}

function typeMessage(name: string, type: string): string {
  if (type.includes('null')) return `The ${name} field is invalid.`;
  switch (type) {
    case 'string':
      return `The ${name} field must be a string.`;
    case 'boolean':
      return `The ${name} field must be true or false.`;
    case 'array':
      return `The ${name} field must be an array.`;
    case 'integer':
      return `The ${name} field must be an integer.`;
    case 'number':
      return `The ${name} field must be a number.`;
    default:
      return `The ${name} field is invalid.`;
  }
}
