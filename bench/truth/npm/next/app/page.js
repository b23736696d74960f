// Rendered on each request (not prerendered), so `next start` serves it through its SSR path.
export const dynamic = "force-dynamic";

export default function Home() {
  return (
    <main>
      <h1>Northwind Labs</h1>
      <p>Rendered at {new Date().toISOString().slice(0, 10)}.</p>
      <a href="/about">About</a>
    </main>
  );
}
