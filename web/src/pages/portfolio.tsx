export function PortfolioPage() {
  return (
    <main className="p-4">
      <h1 className="text-lg font-semibold">Portfolio</h1>
    </main>
  );
}
