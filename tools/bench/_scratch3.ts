import { OrderBook, asOrderId, asOwnerId, asPrice, asQuantity } from '../../src/engine/index.ts';
const N = 3_000_000;
const book = new OrderBook();
for (let i = 1; i <= 2000; i++)
  book.place({
    orderId: asOrderId(i),
    owner: asOwnerId(1),
    side: i % 2 ? 'BUY' : 'SELL',
    orderType: 'LIMIT',
    price: asPrice(i % 2 ? 1000 - (i % 100) : 1001 + (i % 100)),
    quantity: asQuantity(10),
  });
const t = process.hrtime.bigint();
for (let i = 0; i < N / 3; i++) {
  const id = asOrderId(10_000 + i);
  const buy = i % 2 === 0;
  book.place({
    orderId: id,
    owner: asOwnerId(2 + (i % 7)),
    side: buy ? 'BUY' : 'SELL',
    orderType: 'LIMIT',
    price: asPrice(buy ? 1000 - (i % 100) : 1001 + (i % 100)),
    quantity: asQuantity(10),
  });
  book.place({
    orderId: asOrderId(5_000_000 + i),
    owner: asOwnerId(3),
    side: buy ? 'SELL' : 'BUY',
    orderType: 'MARKET',
    quantity: asQuantity(3),
  });
  book.cancel(id);
}
console.log((Number(process.hrtime.bigint() - t) / N).toFixed(1), 'ns/op');
