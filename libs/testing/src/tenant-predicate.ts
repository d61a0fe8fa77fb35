import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { parse } from 'libpg-query';
import ts from 'typescript';

/**
 * The tenant predicate, checked without a database: every statement a tenant repository sends
 * through `tx.query` is read from the TypeScript source, parsed by PostgreSQL's own parser, and
 * every reference to a distributed tenant table must be pinned to the tenant parameter, in its
 * WHERE clause or through a `tenant_id` equality with a table that is. Inserts must set it.
 */
export interface TenantStatement {
  /** file:line of the tx.query call. */
  origin: string;
  sql: string;
  /** 1-based number of the bind parameter carrying tx.tenantId, or undefined when none does. */
  tenantParameter?: number;
  /** A statement in a tenant transaction, or a call of a tenant function (TenantDatabase.call), or a statement inside one. */
  kind?: 'query' | 'call' | 'function';
}

export interface PredicateViolation {
  origin: string;
  table: string;
  message: string;
}

const TENANT_COLUMN = 'tenant_id';

/**
 * Reads every statement the files send for a tenant, found by what they call rather than by names: `query` on a TenantTransaction
 * and `call` on a TenantDatabase (whose $1 is the tenant, prepended by TenantDatabase itself), as the type checker sees them.
 * Template parts must resolve statically. TenantDatabase's own forwarding of a call into a transaction is the mechanism, not a statement.
 */
export function tenantStatements(files: string[], tableVariants: readonly string[]): TenantStatement[] {
  const checker = typeCheckerFor(files);
  return files.flatMap((file) => {
    const source = checker.program.getSourceFile(file);
    if (!source) throw new Error(`${file} is not part of the program`);
    const constants = new Map<string, ts.Expression>();
    const found: TenantStatement[] = [];
    const collect = (node: ts.Node): void => {
      if (ts.isVariableDeclaration(node) && ts.isIdentifier(node.name) && node.initializer) constants.set(node.name.text, node.initializer);
      ts.forEachChild(node, collect);
    };
    collect(source);
    const visit = (node: ts.Node, insideTenantDatabase: boolean): void => {
      const inside = insideTenantDatabase || (ts.isClassDeclaration(node) && node.name?.text === 'TenantDatabase');
      if (!inside && ts.isCallExpression(node) && ts.isPropertyAccessExpression(node.expression)) {
        const receiver = checker.receiverOf(node.expression);
        const method = node.expression.name.text;
        const kind = receiver === 'TenantTransaction' && method === 'query' ? 'query' : receiver === 'TenantDatabase' && method === 'call' ? 'call' : undefined;
        if (kind) {
          const line = source.getLineAndCharacterOfPosition(node.getStart(source)).line + 1;
          const origin = `${file.split('/').slice(-2).join('/')}:${line}`;
          const [sqlArgument, parametersArgument] = node.arguments;
          const tenantParameter = kind === 'call' ? 1 : tenantParameterOf(parametersArgument, constants, source);
          for (const sql of evaluate(sqlArgument, constants, source, tableVariants)) found.push({ origin, sql, tenantParameter, kind });
        }
      }
      ts.forEachChild(node, (child) => visit(child, inside));
    };
    visit(source, false);
    return found;
  });
}

function typeCheckerFor(files: string[]): { program: ts.Program; receiverOf(expression: ts.PropertyAccessExpression): string | undefined } {
  // Files outside the project (a scaffold written to a temporary folder) are read with the project's own settings.
  const configFile = ts.findConfigFile(files[0] ?? process.cwd(), (path) => ts.sys.fileExists(path)) ?? join(__dirname, '../../../tsconfig.json');
  const config = ts.parseJsonConfigFileContent(ts.readConfigFile(configFile, (path) => ts.sys.readFile(path)).config, ts.sys, dirname(configFile));
  const program = ts.createProgram(files, { ...config.options, noEmit: true });
  const checker = program.getTypeChecker();
  return {
    program,
    receiverOf: (expression) => {
      const type = checker.getTypeAtLocation(expression.expression);
      return (type.getSymbol() ?? type.aliasSymbol)?.getName();
    },
  };
}

/** The set_config of the tenant in each tenant function: it must set the function's own tenant argument, nothing else. */
export function tenantFunctionSettings(file: string, tenantArgument = 'p_tenant_id'): Array<{ origin: string; setsTenantArgument: boolean }> {
  const text = readFileSync(file, 'utf8');
  const found: Array<{ origin: string; setsTenantArgument: boolean }> = [];
  for (const definition of text.matchAll(/CREATE (?:OR REPLACE )?FUNCTION (tenant_\w+)\(([\s\S]*?)\)\s*RETURNS[\s\S]*?\$\$([\s\S]*?)\$\$/g)) {
    const [, name, parameters, body] = definition;
    const firstParameter = parameters.trim().split(/\s+/)[0];
    const settings = [...body.matchAll(/set_config\(\s*'app\.tenant_id'\s*,\s*([^,]+?)\s*,/g)].map((match) => match[1]);
    found.push({
      origin: `${name} (${file.split('/').slice(-1)[0]})`,
      setsTenantArgument: firstParameter === tenantArgument && settings.length > 0 && settings.every((value) => value === `${tenantArgument}::text`),
    });
  }
  return found;
}

/**
 * The statements inside the PL/pgSQL tenant functions of a migration (`CREATE FUNCTION tenant_x(p_tenant_id ...`),
 * as plain SQL the same check can read: the tenant argument becomes $1, every other argument or
 * variable a further parameter, and INTO targets are dropped. A statement built with
 * `EXECUTE format($q$ ... $q$, p_tenant_id)` is read from its format string: each `%L` must format the
 * tenant argument and becomes $1, its own parameters move up by one. It reads the simple bodies this
 * project writes (statements ending in `;`, IF/FOR/RETURN QUERY around them), not any PL/pgSQL.
 */
export function tenantFunctionStatements(file: string, tenantArgument = 'p_tenant_id'): TenantStatement[] {
  const text = readFileSync(file, 'utf8');
  const found: TenantStatement[] = [];
  for (const definition of text.matchAll(
    new RegExp(`CREATE (?:OR REPLACE )?FUNCTION (tenant_\\w+)\\(${tenantArgument} [\\s\\S]*?\\$\\$([\\s\\S]*?)\\$\\$`, 'g'),
  )) {
    const [, name, body] = definition;
    const origin = `${name} (${file.split('/').slice(-1)[0]})`;
    const pieces = body
      .replace(/--.*$/gm, '')
      .split(/;|\bLOOP\b/)
      .map((piece) =>
        piece
          .replace(/^\s*(?:DECLARE[\s\S]*?)?\bBEGIN\b/i, '')
          .replace(/^\s*(?:IF\b[\s\S]*?\bTHEN\b|ELSE|END IF|END|RETURN QUERY|FOR \w+ IN)/gi, '')
          .replace(/^\s*(?:IF\b[\s\S]*?\bTHEN\b|ELSE|END IF|END|RETURN QUERY|FOR \w+ IN)/gi, '')
          .trim(),
      );
    for (const piece of pieces) {
      if (/^EXECUTE\b/i.test(piece)) {
        found.push({ origin, sql: formattedStatement(piece, tenantArgument, origin), tenantParameter: 1, kind: 'function' });
        continue;
      }
      if (!/^(?:SELECT|INSERT|UPDATE|DELETE|WITH)\b/i.test(piece)) continue;
      const variables = new Map<string, number>([[tenantArgument, 1]]);
      const sql = piece.replace(/\bINTO\s+[pv]_\w+(?:\s*,\s*[pv]_\w+)*/g, '').replace(/\b[pv]_\w+(?:\.(?:\w+|"\w+"))?/g, (variable) => {
        if (!variables.has(variable)) variables.set(variable, variables.size + 1);
        return `$${variables.get(variable)}`;
      });
      found.push({ origin, sql, tenantParameter: 1, kind: 'function' });
    }
  }
  return found;
}

/** `EXECUTE format($q$ sql $q$, p_tenant_id, ...) ...`: the sql with the tenant as $1. Anything else formatted in cannot be checked. */
function formattedStatement(piece: string, tenantArgument: string, origin: string): string {
  const formatted = /^EXECUTE\s+format\(\s*\$q\$([\s\S]*?)\$q\$\s*((?:,\s*\w+\s*)*)\)/i.exec(piece);
  if (!formatted) throw new Error(`${origin}: a dynamic statement must be EXECUTE format($q$ ... $q$, ${tenantArgument}) to be checked`);
  const [, template, list] = formatted;
  const argumentsFormatted = list
    .split(',')
    .map((argument) => argument.trim())
    .filter(Boolean);
  const placeholders = template.match(/%./g) ?? [];
  if (placeholders.some((placeholder) => placeholder !== '%L') || argumentsFormatted.length !== placeholders.length)
    throw new Error(`${origin}: only %L placeholders, one per formatted argument, can be checked`);
  if (argumentsFormatted.some((argument) => argument !== tenantArgument))
    throw new Error(`${origin}: only ${tenantArgument} may be formatted into a statement; pass other values with USING`);
  return template.replace(/\$(\d+)/g, (_parameter, number: string) => `$${Number(number) + 1}`).replace(/%L/g, '$1');
}

function evaluate(node: ts.Expression, constants: Map<string, ts.Expression>, source: ts.SourceFile, tableVariants: readonly string[]): string[] {
  if (ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node)) return [node.text];
  if (ts.isTemplateExpression(node)) {
    let variants = [node.head.text];
    for (const span of node.templateSpans) {
      const parts = evaluate(span.expression, constants, source, tableVariants);
      variants = variants.flatMap((prefix) => parts.map((part) => `${prefix}${part}${span.literal.text}`));
    }
    return variants;
  }
  const rows = rowsTemplate(node, constants);
  if (rows) return evaluateRow(rows, source);
  if (ts.isIdentifier(node)) {
    const constant = constants.get(node.text);
    if (constant) return evaluate(constant, constants, source, tableVariants);
    // A parameter typed as a tenant table name stands for each of them.
    if (node.text === 'table') return [...tableVariants];
  }
  throw new Error(`SQL must be static to be checked: cannot evaluate \`${node.getText(source)}\` (${source.fileName})`);
}

/** Bind parameters numbered at run time (`$${base + 1}`) stand for one that is never the tenant's. */
const COMPUTED_PARAMETER = '900';

/**
 * Multi-row VALUES built as `rows.join(', ')` from `items.map((item) => `(...)`)`: the row
 * template is checked once, its computed parameter numbers replaced.
 */
function rowsTemplate(node: ts.Expression, constants: Map<string, ts.Expression>): ts.TemplateExpression | undefined {
  if (!ts.isCallExpression(node) || !ts.isPropertyAccessExpression(node.expression) || node.expression.name.text !== 'join') return undefined;
  const target = node.expression.expression;
  const mapped = ts.isIdentifier(target) ? constants.get(target.text) : undefined;
  if (!mapped || !ts.isCallExpression(mapped) || !ts.isPropertyAccessExpression(mapped.expression) || mapped.expression.name.text !== 'map') return undefined;
  const callback = mapped.arguments.at(0);
  if (!callback || !ts.isArrowFunction(callback)) return undefined;
  const returned = ts.isBlock(callback.body)
    ? callback.body.statements.filter(ts.isReturnStatement).map((statement) => statement.expression)[0]
    : callback.body;
  return returned && ts.isTemplateExpression(returned) ? returned : undefined;
}

function evaluateRow(template: ts.TemplateExpression, source: ts.SourceFile): string[] {
  let text = template.head.text;
  for (const span of template.templateSpans) {
    if (!text.endsWith('$')) throw new Error(`SQL must be static to be checked: \`${span.expression.getText(source)}\` is not a parameter number`);
    text += `${COMPUTED_PARAMETER}${span.literal.text}`;
  }
  return [text];
}

function tenantParameterOf(node: ts.Expression | undefined, constants: Map<string, ts.Expression>, source: ts.SourceFile): number | undefined {
  const array = node && ts.isIdentifier(node) ? constants.get(node.text) : node;
  if (!array || !ts.isArrayLiteralExpression(array)) return undefined;
  const index = array.elements.findIndex((element) => element.getText(source) === 'tx.tenantId');
  return index < 0 ? undefined : index + 1;
}

type Node = Record<string, any>;

/** Checks one statement; returns what is not pinned to the tenant. */
export async function checkTenantPredicate(statement: TenantStatement, tenantTables: readonly string[]): Promise<PredicateViolation[]> {
  const tree = await parse(statement.sql);
  const violations: PredicateViolation[] = [];
  const report = (table: string, message: string): void => {
    violations.push({ origin: statement.origin, table, message });
  };
  const isTenantParameter = (node: Node | undefined) => node?.ParamRef?.number !== undefined && node.ParamRef.number === statement.tenantParameter;

  const checkStatement = (node: Node, outer: Set<string>): void => {
    if (node.SelectStmt) checkSelect(node.SelectStmt, outer);
    else if (node.UpdateStmt)
      checkModification(node.UpdateStmt.relation, node.UpdateStmt.whereClause, node.UpdateStmt.fromClause ?? [], node.UpdateStmt, outer);
    else if (node.DeleteStmt)
      checkModification(node.DeleteStmt.relation, node.DeleteStmt.whereClause, node.DeleteStmt.usingClause ?? [], node.DeleteStmt, outer);
    else if (node.InsertStmt) checkInsert(node.InsertStmt, outer);
  };

  const checkCtes = (withClause: Node | undefined, outer: Set<string>) => {
    for (const cte of withClause?.ctes ?? []) checkStatement(cte.CommonTableExpr.ctequery, outer);
  };

  const checkSelect = (select: Node, outer: Set<string>): void => {
    checkCtes(select.withClause, outer);
    if (select.larg) checkSelect(select.larg, outer);
    if (select.rarg) checkSelect(select.rarg, outer);
    const relations: Array<{ table: string; alias: string }> = [];
    const quals: Node[] = select.whereClause ? [select.whereClause] : [];
    for (const item of select.fromClause ?? []) collectFrom(item, relations, quals, outer);
    const pinned = pinnedAliases(relations, quals, outer);
    requirePinned(relations, pinned);
    for (const qual of [...quals, ...(select.targetList ?? []), select.havingClause].filter(Boolean)) checkSublinks(qual, new Set([...outer, ...pinned]));
  };

  const checkModification = (relation: Node, where: Node | undefined, from: Node[], statementNode: Node, outer: Set<string>): void => {
    checkCtes(statementNode.withClause, outer);
    const relations = [{ table: relation.relname as string, alias: (relation.alias?.aliasname ?? relation.relname) as string }];
    const quals: Node[] = where ? [where] : [];
    for (const item of from) collectFrom(item, relations, quals, outer);
    const pinned = pinnedAliases(relations, quals, outer);
    requirePinned(relations, pinned);
    for (const node of [...quals, ...(statementNode.targetList ?? []), ...(statementNode.returningList ?? [])])
      checkSublinks(node, new Set([...outer, ...pinned]));
  };

  const checkInsert = (insert: Node, outer: Set<string>): void => {
    checkCtes(insert.withClause, outer);
    const table: string = insert.relation.relname;
    const columns: string[] = (insert.cols ?? []).map((column: Node) => column.ResTarget.name);
    const position = columns.indexOf(TENANT_COLUMN);
    const select = insert.selectStmt?.SelectStmt;
    if (select) checkSelect(select, outer);
    if (!tenantTables.includes(table)) return;
    if (position < 0) {
      report(table, `INSERT INTO ${table} does not set ${TENANT_COLUMN}`);
      return;
    }
    if (select?.valuesLists) {
      for (const row of select.valuesLists) {
        if (!isTenantParameter(row.List.items[position]))
          report(table, `INSERT INTO ${table} sets ${TENANT_COLUMN} to something other than the tenant parameter`);
      }
    } else if (select && !isTenantParameter(select.targetList?.[position]?.ResTarget?.val)) {
      report(table, `INSERT INTO ${table} ... SELECT sets ${TENANT_COLUMN} to something other than the tenant parameter`);
    }
  };

  const collectFrom = (item: Node, relations: Array<{ table: string; alias: string }>, quals: Node[], outer: Set<string>): void => {
    if (item.RangeVar) relations.push({ table: item.RangeVar.relname, alias: item.RangeVar.alias?.aliasname ?? item.RangeVar.relname });
    else if (item.JoinExpr) {
      collectFrom(item.JoinExpr.larg, relations, quals, outer);
      collectFrom(item.JoinExpr.rarg, relations, quals, outer);
      if (item.JoinExpr.quals) quals.push(item.JoinExpr.quals);
    } else if (item.RangeSubselect) checkStatement(item.RangeSubselect.subquery, outer);
  };

  /** Aliases pinned to the tenant: `a.tenant_id = $T`, or `a.tenant_id = b.tenant_id` with b pinned. */
  const pinnedAliases = (relations: Array<{ table: string; alias: string }>, quals: Node[], outer: Set<string>): Set<string> => {
    const equalities = quals.flatMap(conjuncts).filter((node) => node.A_Expr?.kind === 'AEXPR_OP' && node.A_Expr.name?.[0]?.String?.sval === '=');
    const tenantColumnOf = (node: Node | undefined): string | undefined => {
      const fields: string[] | undefined = node?.ColumnRef?.fields?.map((field: Node) => field.String?.sval);
      if (!fields || fields[fields.length - 1] !== TENANT_COLUMN) return undefined;
      if (fields.length >= 2) return fields[fields.length - 2];
      return relations.length === 1 ? relations[0].alias : undefined;
    };
    const pinned = new Set<string>();
    let grew = true;
    while (grew) {
      grew = false;
      for (const { A_Expr: expression } of equalities) {
        const [left, right] = [tenantColumnOf(expression.lexpr), tenantColumnOf(expression.rexpr)];
        const pin = (alias: string | undefined) => {
          if (alias && !pinned.has(alias)) {
            pinned.add(alias);
            grew = true;
          }
        };
        if (left && isTenantParameter(expression.rexpr)) pin(left);
        if (right && isTenantParameter(expression.lexpr)) pin(right);
        const known = (alias: string | undefined) => alias !== undefined && (pinned.has(alias) || outer.has(alias));
        if (left && right && known(right)) pin(left);
        if (left && right && known(left)) pin(right);
      }
    }
    return pinned;
  };

  const requirePinned = (relations: Array<{ table: string; alias: string }>, pinned: Set<string>) => {
    for (const { table, alias } of relations) {
      if (tenantTables.includes(table) && !pinned.has(alias))
        report(table, `${table}${alias !== table ? ` ${alias}` : ''} is not constrained by ${TENANT_COLUMN} = the tenant parameter`);
    }
  };

  const checkSublinks = (node: unknown, outer: Set<string>): void => {
    if (typeof node !== 'object' || node === null) return;
    const record = node as Node;
    if (record.SubLink) {
      checkStatement(record.SubLink.subselect, outer);
      return;
    }
    for (const value of Object.values(record)) checkSublinks(value, outer);
  };

  for (const { stmt } of tree.stmts) checkStatement(stmt, new Set());
  return violations;
}

function conjuncts(node: Node): Node[] {
  if (node.BoolExpr?.boolop === 'AND_EXPR') return node.BoolExpr.args.flatMap(conjuncts);
  return [node];
}
