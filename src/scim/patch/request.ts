/**
 * The PatchOp request message (RFC 7644 §3.5.2): what the operations are, before any of them is
 * applied to a resource.
 */

import { RosterError } from '../../errors.js';
import { ScimError } from '../errors.js';
import type { PatchPath } from '../filter/ast.js';
import { parsePatchPath } from '../filter/parse.js';
import { isObject } from '../resource.js';

export const PATCH_OP_SCHEMA = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';

export type PatchOpName = 'add' | 'replace' | 'remove';

export interface PatchOperation {
  readonly op: PatchOpName;
  readonly path?: PatchPath;
  readonly pathText?: string;
  readonly value?: unknown;
  /** 0-based position in the request, named in errors. */
  readonly index: number;
}

/**
 * Reads a PatchOp body (RFC 7644 §3.5.2): `Operations` with `op` in any letter case (Entra ID sends
 * "Replace"), a parsed `path`, and the RFC's rules on which operations need which parts.
 */
export function parsePatchRequest(body: unknown): PatchOperation[] {
  if (!isObject(body)) throw ScimError.invalidSyntax('The request body must be a PatchOp JSON object.');
  const operations = body.Operations ?? body.operations;
  if (!Array.isArray(operations) || operations.length === 0) {
    throw ScimError.invalidSyntax(
      `A PatchOp body needs a non-empty 'Operations' list (schemas: ["${PATCH_OP_SCHEMA}"]).`,
    );
  }
  return operations.map((raw, index): PatchOperation => {
    if (!isObject(raw)) throw ScimError.invalidSyntax(`Operation ${index}: must be an object.`);
    const opText = typeof raw.op === 'string' ? raw.op.toLowerCase() : undefined;
    if (opText !== 'add' && opText !== 'replace' && opText !== 'remove') {
      throw ScimError.invalidSyntax(
        `Operation ${index}: 'op' must be "add", "replace" or "remove", got ${JSON.stringify(raw.op)}.`,
      );
    }
    const pathText = raw.path;
    if (pathText !== undefined && pathText !== null && typeof pathText !== 'string') {
      throw ScimError.invalidPath(`Operation ${index}: 'path' must be a string.`);
    }
    if (pathText === undefined || pathText === null || pathText.trim() === '') {
      if (opText === 'remove') throw ScimError.noTarget(`Operation ${index}: 'remove' needs a 'path'.`);
      if (!isObject(raw.value)) {
        throw ScimError.invalidValue(
          `Operation ${index}: '${opText}' without a 'path' needs an object 'value'.`,
        );
      }
      return { op: opText, value: raw.value, index };
    }
    let path: PatchPath;
    try {
      path = parsePatchPath(pathText);
    } catch (error) {
      if (error instanceof RosterError) throw error.withDetail(`Operation ${index}: ${error.detail}`);
      throw error;
    }
    if (opText !== 'remove' && !('value' in raw)) {
      throw ScimError.invalidValue(`Operation ${index}: '${opText}' needs a 'value'.`);
    }
    return { op: opText, path, pathText, value: raw.value, index };
  });
}
