import type { File, Node } from '@babel/types';
import type { Bindings } from './db-calls';
import { forEachChild, unwrap } from './walk';

/**
 * Names the file gives its clients: imports, initialisers and type annotations, whatever their
 * scope. Without a type checker this is what tells `prisma` from `db` from `userRepository`;
 * a name reused for two things in one file takes the latest initialiser.
 */
export function collectBindings(ast: File, text: string): Bindings {
  const b: Bindings = { imports: new Map(), inits: new Map(), types: new Map(), text };
  const addInit = (name: string, init: Node): void => {
    let n = unwrap(init);
    if (n.type === 'AwaitExpression') n = unwrap(n.argument);
    const list = b.inits.get(name);
    if (list) list.push(n);
    else b.inits.set(name, [n]);
  };
  const addType = (name: string, annotation: Node | null | undefined): void => {
    const t = annotation && annotation.type === 'TSTypeAnnotation' ? annotation.typeAnnotation : undefined;
    if (t?.type !== 'TSTypeReference') return;
    const typeName = t.typeName.type === 'Identifier' ? t.typeName.name : t.typeName.type === 'TSQualifiedName' ? t.typeName.right.name : undefined;
    if (typeName) b.types.set(name, typeName);
  };
  const param = (p: Node): void => {
    const target = p.type === 'TSParameterProperty' ? p.parameter : p;
    if (target.type === 'Identifier') addType(target.name, target.typeAnnotation as Node | null);
    else if (target.type === 'AssignmentPattern' && target.left.type === 'Identifier') addType(target.left.name, target.left.typeAnnotation as Node | null);
  };
  const visit = (n: Node): void => {
    switch (n.type) {
      case 'ImportDeclaration':
        for (const s of n.specifiers) b.imports.set(s.local.name, n.source.value);
        return;
      case 'VariableDeclarator':
        if (n.id.type === 'Identifier') {
          if (n.init) addInit(n.id.name, n.init);
          addType(n.id.name, n.id.typeAnnotation as Node | null);
          // `const { db } = require('./db')` and `const x = require('pg')` read as imports.
        }
        if (n.init && n.init.type === 'CallExpression' && n.init.callee.type === 'Identifier' && n.init.callee.name === 'require') {
          const source = n.init.arguments[0];
          if (source?.type === 'StringLiteral') {
            if (n.id.type === 'Identifier') b.imports.set(n.id.name, source.value);
            else if (n.id.type === 'ObjectPattern') for (const p of n.id.properties) if (p.type === 'ObjectProperty' && p.value.type === 'Identifier') b.imports.set(p.value.name, source.value);
          }
        }
        break;
      case 'TSEnumDeclaration':
        // A small enum iterated with Object.values(E) is a constant collection.
        addInit(n.id.name, n);
        return;
      case 'ClassProperty':
      case 'ClassPrivateProperty': {
        const key = n.key.type === 'Identifier' ? n.key.name : n.key.type === 'PrivateName' ? n.key.id.name : undefined;
        if (key) {
          if (n.value) addInit(key, n.value);
          addType(key, n.typeAnnotation as Node | null);
        }
        break;
      }
      case 'AssignmentExpression':
        // `this.prisma = new PrismaClient()` in a constructor.
        if (n.left.type === 'MemberExpression' && n.left.object.type === 'ThisExpression' && n.left.property.type === 'Identifier') addInit(n.left.property.name, n.right);
        break;
      case 'FunctionDeclaration':
      case 'FunctionExpression':
      case 'ArrowFunctionExpression':
      case 'ClassMethod':
      case 'ObjectMethod':
        for (const p of n.params) param(p as Node);
        break;
      default:
        break;
    }
    forEachChild(n, visit);
  };
  visit(ast.program);
  return b;
}
