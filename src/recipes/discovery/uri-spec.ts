/**
 * Curator's UriSpec: a template such as `{scheme}://{address}:{port}`, stored as a list of parts
 * (`{"value":"scheme","variable":true}`, `{"value":"://","variable":false}`, ...). Users write
 * the template; the znode holds the parts, so Java's `UriSpec.build` works on our instances.
 * Braces do not nest: `{` inside a variable, or a `}` or `{` left unmatched, is refused, as
 * Curator refuses it; a variable's name is trimmed.
 */
import { InvalidArgumentError } from '../../session/errors.js';

export interface UriSpecPart {
  readonly value: string;
  readonly variable: boolean;
}

/** The parts of a template; throws InvalidArgumentError (argument `uriSpec`) if malformed. */
export function parseUriSpec(template: unknown): UriSpecPart[] {
  if (typeof template !== 'string')
    throw new InvalidArgumentError('uriSpec', `expected a template string, got ${typeof template}`);
  const parts: UriSpecPart[] = [];
  let inVariable = false;
  for (const token of template.split(/([{}])/)) {
    if (token === '{' || token === '}') {
      if ((token === '{') === inVariable)
        throw new InvalidArgumentError('uriSpec', `unbalanced "${token}" in "${template}"`);
      inVariable = !inVariable;
    } else if (token !== '') {
      parts.push({ value: inVariable ? token.trim() : token, variable: inVariable });
    }
  }
  if (inVariable) throw new InvalidArgumentError('uriSpec', `variable not closed in "${template}"`);
  return parts;
}

/** The template of a list of parts (the inverse of parseUriSpec). */
export function formatUriSpec(parts: readonly UriSpecPart[]): string {
  return parts.map((p) => (p.variable ? `{${p.value}}` : p.value)).join('');
}
