export function AccountPage() {
  return (
    <main className="p-4">
      <h1 className="text-lg font-semibold">Account</h1>
    </main>
  );
}
