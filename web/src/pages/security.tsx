// The administrators' security dashboard: posture, events and blocked addresses.

export function SecurityPage() {
  return (
    <main className="p-4">
      <h1 className="text-lg font-semibold">Security</h1>
    </main>
  );
}
