import * as assert from 'node:assert/strict';
import { fillOrder, targets } from '../../../src/core/sandbox-data/graph';
import { col, fk, table } from './catalog-fixture';

describe('sandbox data: fill order and sizes', () => {
  it('fills referenced tables first, in a stable order; a self-reference is no edge', () => {
    const orgs = table('orgs', [col('id', 'int4')]);
    const users = table('users', [col('id', 'int4'), col('org_id', 'int4', { notNull: true }), col('boss_id', 'int4')]);
    const tasks = table('tasks', [col('user_id', 'int4', { notNull: true }), col('org_id', 'int4', { notNull: true })]);
    users.foreignKeys.push(fk('users_org', ['org_id'], orgs, ['id']), fk('users_boss', ['boss_id'], users, ['id']));
    tasks.foreignKeys.push(fk('tasks_user', ['user_id'], users, ['id']), fk('tasks_org', ['org_id'], orgs, ['id']));
    const { order, deferred, forced } = fillOrder([tasks, users, orgs]);
    assert.deepEqual(order.map((t) => t.name), ['orgs', 'users', 'tasks']);
    assert.deepEqual([deferred.size, forced.length], [0, 0]);
  });

  it('breaks a cycle at its nullable FK', () => {
    const teams = table('teams', [col('id', 'int4'), col('owner_id', 'int4')]);
    const members = table('members', [col('id', 'int4'), col('team_id', 'int4', { notNull: true })]);
    const owner = fk('teams_owner', ['owner_id'], members, ['id']);
    const team = fk('members_team', ['team_id'], teams, ['id']);
    teams.foreignKeys.push(owner);
    members.foreignKeys.push(team);
    const { order, deferred, forced } = fillOrder([members, teams]);
    assert.deepEqual(order.map((t) => t.name), ['teams', 'members']);
    assert.deepEqual([...deferred], [owner]);
    assert.deepEqual(forced, []);
  });

  it('breaks a cycle of NOT NULL FKs at one edge, and says so', () => {
    const a = table('a', [col('id', 'int4'), col('b_id', 'int4', { notNull: true })]);
    const b = table('b', [col('id', 'int4'), col('c_id', 'int4', { notNull: true })]);
    const c = table('c', [col('id', 'int4'), col('a_id', 'int4', { notNull: true })]);
    const ab = fk('a_b', ['b_id'], b, ['id']);
    a.foreignKeys.push(ab);
    b.foreignKeys.push(fk('b_c', ['c_id'], c, ['id']));
    c.foreignKeys.push(fk('c_a', ['a_id'], a, ['id']));
    const { order, deferred, forced } = fillOrder([a, b, c]);
    assert.deepEqual(forced, [ab]);
    assert.deepEqual([...deferred], [ab]);
    assert.deepEqual(order.map((t) => t.name), ['a', 'c', 'b']);
  });

  it('sizes lookup, ordinary and fact tables; explicit counts and stats win; scale and cap apply', () => {
    const status = table('order_status', [col('id', 'int4'), col('label', 'text')]);
    const users = table('users', [col('id', 'int4'), col('email', 'text'), col('name', 'text'), col('bio', 'text'), col('age', 'int4')]);
    const orders = table('orders', [col('id', 'int4'), col('user_id', 'int4'), col('status_id', 'int4')]);
    orders.foreignKeys.push(fk('o_u', ['user_id'], users, ['id']), fk('o_s', ['status_id'], status, ['id']));
    const all = [status, users, orders];
    const sized = targets(all, {});
    assert.deepEqual(sized.get(status), { rows: 100, tier: 'lookup' });
    assert.deepEqual(sized.get(users), { rows: 20_000, tier: 'regular' });
    assert.deepEqual(sized.get(orders), { rows: 40_000, tier: 'fact' });
    const scaled = targets(all, { scale: 0.5, maxRowsPerTable: 15_000, tableRows: { users: 3000 }, stats: { tables: { 'public.order_status': { rows: 7 } } } });
    assert.deepEqual(scaled.get(users), { rows: 1500, tier: 'explicit' });
    assert.deepEqual(scaled.get(orders), { rows: 15_000, tier: 'fact' });
    assert.deepEqual(scaled.get(status), { rows: 7, tier: 'stats', full: true }, 'a small table keeps its production size');
    assert.deepEqual(targets(all, { rowsPerTable: 100_000 }).get(status), { rows: 100, tier: 'lookup' });
  });

  it('keeps small stats tables at their production size at any scale, the rows this adds within the budget', () => {
    const countries = table('countries', [col('id', 'int4'), col('code', 'text')]);
    const plans = table('plans', [col('id', 'int4'), col('name', 'text')]);
    const categories = table('categories', [col('id', 'int4'), col('name', 'text')]);
    const products = table('products', [col('id', 'int4'), col('category_id', 'int4')]);
    const orders = table('orders', [col('id', 'int4'), col('country_id', 'int4'), col('plan_id', 'int4'), col('product_id', 'int4')]);
    products.foreignKeys.push(fk('p_c', ['category_id'], categories, ['id']));
    orders.foreignKeys.push(fk('o_c', ['country_id'], countries, ['id']), fk('o_p', ['plan_id'], plans, ['id']), fk('o_pr', ['product_id'], products, ['id']));
    const all = [countries, plans, categories, products, orders];
    const stats = {
      tables: {
        'public.countries': { rows: 250 },
        'public.plans': { rows: 4 },
        'public.categories': { rows: 1000 },
        'public.products': { rows: 10_000 },
        'public.orders': { rows: 2_000_000 },
      },
    };
    const sized = targets(all, { scale: 0.1, stats, maxTotalRows: 30_000 });
    assert.deepEqual(sized.get(countries), { rows: 250, tier: 'stats', full: true });
    assert.deepEqual(sized.get(plans), { rows: 4, tier: 'stats', full: true });
    assert.deepEqual(sized.get(categories), { rows: 1000, tier: 'stats', full: true });
    assert.deepEqual(sized.get(products), { rows: 1000, tier: 'stats' }, 'an entity table scales');
    assert.deepEqual(sized.get(orders), { rows: 200_000, tier: 'stats' });
    // A budget smaller than what keeping them all adds: the smallest first, the others scale.
    const tight = targets(all, { scale: 0.1, stats, maxTotalRows: 300 });
    assert.deepEqual(tight.get(plans), { rows: 4, tier: 'stats', full: true });
    assert.deepEqual(tight.get(countries), { rows: 250, tier: 'stats', full: true });
    assert.deepEqual(tight.get(categories), { rows: 100, tier: 'stats' });
    // Scaled up: no invented statuses either.
    assert.deepEqual(targets(all, { scale: 3, stats }).get(plans), { rows: 4, tier: 'stats', full: true });
    assert.deepEqual(targets(all, { scale: 3, stats }).get(products), { rows: 30_000, tier: 'stats' });
    // At scale 1 nothing changes, and explicit counts still win.
    assert.deepEqual(targets(all, { stats }).get(countries), { rows: 250, tier: 'stats' });
    assert.deepEqual(targets(all, { scale: 0.1, stats, tableRows: { countries: 50 } }).get(countries), { rows: 5, tier: 'explicit' });
  });
});
