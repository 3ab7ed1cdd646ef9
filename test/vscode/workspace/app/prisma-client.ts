// A stand-in for the client `prisma generate` writes, so this fixture type-checks without one
// (and the createMany quick fix is checked to type-check: test/unit/app-code/fix-typechecks.test.ts).
export interface Order {
  id: number;
  userId: number;
  total: number;
}

interface OrderDelegate {
  findMany(args?: { where?: { userId?: number | { in: number[] } } }): Promise<Order[]>;
  create(args: { data: Omit<Order, 'id'> }): Promise<Order>;
  createMany(args: { data: Array<Omit<Order, 'id'>> }): Promise<{ count: number }>;
}

export declare class PrismaClient {
  order: OrderDelegate;
}
