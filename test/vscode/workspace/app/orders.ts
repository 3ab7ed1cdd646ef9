import { PrismaClient } from './prisma-client';

const prisma = new PrismaClient();

export async function ordersOf(userIds: number[]) {
  const result = [];
  for (const userId of userIds) {
    result.push(await prisma.order.findMany({ where: { userId } }));
  }
  return result;
}

export async function importOrders(rows: { userId: number; total: number }[]) {
  for (const row of rows) {
    await prisma.order.create({ data: { userId: row.userId, total: row.total } });
  }
}
