export const metadata = { title: "Truth corpus: Next.js", description: "Server-rendered by next start" };

export default function RootLayout({ children }) {
  return (
    <html lang="en">
      <body>{children}</body>
    </html>
  );
}
