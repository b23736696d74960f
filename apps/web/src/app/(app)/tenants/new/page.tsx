import type { Metadata } from "next";
import { CreateTenantForm } from "../../../../components/shell/create-tenant-form";
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from "../../../../components/ui/card";

export const metadata: Metadata = { title: "New workspace" };

export default function NewTenantPage() {
  return (
    <Card className="mx-auto max-w-lg">
      <CardHeader>
        <CardTitle>New workspace</CardTitle>
        <CardDescription>
          For a deal, a portfolio or a team. You become its owner and can add members later.
        </CardDescription>
      </CardHeader>
      <CardContent>
        <CreateTenantForm />
      </CardContent>
    </Card>
  );
}
