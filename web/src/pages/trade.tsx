export function TradePage() {
  return (
    <main className="p-4">
      <h1 className="text-lg font-semibold">Trade</h1>
    </main>
  );
}
