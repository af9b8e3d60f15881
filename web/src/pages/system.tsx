export function SystemPage() {
  return (
    <main className="p-4">
      <h1 className="text-lg font-semibold">System</h1>
    </main>
  );
}
