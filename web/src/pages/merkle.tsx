// The Merkle audit log explorer: tree heads, inclusion and consistency proofs.

export function MerklePage() {
  return (
    <main className="p-4">
      <h1 className="text-lg font-semibold">Merkle audit log</h1>
    </main>
  );
}
