"""Database triggers: a published document version and a DPA signature can never be changed or deleted.

The rule lives in PostgreSQL, not in Python, so it holds for the admin, the shell, a data migration and any bug alike.
"""

from django.db import migrations

VERSION_GUARD = """
CREATE OR REPLACE FUNCTION contracts_documentversion_guard() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        IF OLD.published_at IS NOT NULL THEN
            RAISE EXCEPTION 'document version % is published and cannot be deleted', OLD.id
                USING ERRCODE = 'integrity_constraint_violation';
        END IF;
        RETURN OLD;
    END IF;
    IF OLD.published_at IS NOT NULL THEN
        IF NEW.kind IS DISTINCT FROM OLD.kind
           OR NEW.label IS DISTINCT FROM OLD.label
           OR NEW.title IS DISTINCT FROM OLD.title
           OR NEW.body IS DISTINCT FROM OLD.body
           OR NEW.summary IS DISTINCT FROM OLD.summary
           OR NEW.effective_on IS DISTINCT FROM OLD.effective_on
           OR NEW.published_at IS DISTINCT FROM OLD.published_at
           OR NEW.published_by_id IS DISTINCT FROM OLD.published_by_id
           OR NEW.short_notice_reason IS DISTINCT FROM OLD.short_notice_reason
           OR NEW.text_sha256 IS DISTINCT FROM OLD.text_sha256
           OR (OLD.pdf <> '' AND NEW.pdf IS DISTINCT FROM OLD.pdf)
           OR (OLD.pdf_sha256 <> '' AND NEW.pdf_sha256 IS DISTINCT FROM OLD.pdf_sha256) THEN
            RAISE EXCEPTION 'document version % is published and cannot be changed', OLD.id
                USING ERRCODE = 'integrity_constraint_violation';
        END IF;
    END IF;
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER contracts_documentversion_immutable
BEFORE UPDATE OR DELETE ON contracts_documentversion
FOR EACH ROW EXECUTE FUNCTION contracts_documentversion_guard();
"""

ACCEPTANCE_GUARD = """
CREATE OR REPLACE FUNCTION contracts_acceptance_guard() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        RAISE EXCEPTION 'DPA signature % is evidence and cannot be deleted', OLD.id
            USING ERRCODE = 'integrity_constraint_violation';
    END IF;
    -- Only the signed PDF, made once after signing, may be added to an existing signature.
    IF (NEW.id, NEW.version_id, NEW.client_id, NEW.user_id, NEW.signer_name, NEW.signer_title, NEW.company_name,
        NEW.kvk_number, NEW.version_label, NEW.text_sha256, NEW.statement, NEW.accepted_at, NEW.ip_address,
        NEW.user_agent, NEW.evidence_sha256)
       IS DISTINCT FROM
       (OLD.id, OLD.version_id, OLD.client_id, OLD.user_id, OLD.signer_name, OLD.signer_title, OLD.company_name,
        OLD.kvk_number, OLD.version_label, OLD.text_sha256, OLD.statement, OLD.accepted_at, OLD.ip_address,
        OLD.user_agent, OLD.evidence_sha256)
       OR (OLD.signed_pdf <> '' AND NEW.signed_pdf IS DISTINCT FROM OLD.signed_pdf)
       OR (OLD.signed_pdf_sha256 <> '' AND NEW.signed_pdf_sha256 IS DISTINCT FROM OLD.signed_pdf_sha256) THEN
        RAISE EXCEPTION 'DPA signature % is evidence and cannot be changed', OLD.id
            USING ERRCODE = 'integrity_constraint_violation';
    END IF;
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER contracts_acceptance_append_only
BEFORE UPDATE OR DELETE ON contracts_acceptance
FOR EACH ROW EXECUTE FUNCTION contracts_acceptance_guard();
"""


class Migration(migrations.Migration):
    dependencies = [("contracts", "0002_document_versions_acceptances_objections")]

    operations = [
        migrations.RunSQL(
            VERSION_GUARD,
            reverse_sql="DROP TRIGGER contracts_documentversion_immutable ON contracts_documentversion;"
            "DROP FUNCTION contracts_documentversion_guard();",
        ),
        migrations.RunSQL(
            ACCEPTANCE_GUARD,
            reverse_sql="DROP TRIGGER contracts_acceptance_append_only ON contracts_acceptance;"
            "DROP FUNCTION contracts_acceptance_guard();",
        ),
    ]
