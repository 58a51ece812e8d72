#!/usr/bin/env bash
# A backup of the portal: the database (pg_dump, custom format) and the media directory (tar.gz), in a new
# timestamped directory with a MANIFEST and SHA256SUMS. Reads the portal's own settings: DATABASE_URL and
# DJANGO_MEDIA_ROOT, from the environment or .env. The encryption keys and the signing certificate are NOT
# included: keep them apart from the backups (see "Backups" in the README).
#
# Usage: scripts/backup.sh [DESTINATION]        (default: var/backups; prints the new directory's path)
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/backup-common.sh"

case "${1:-}" in
    -h | --help)
        sed -n '2,7p' "$0" | sed 's/^# \{0,1\}//'
        exit 0
        ;;
esac
[[ $# -le 1 ]] || die "usage: scripts/backup.sh [DESTINATION]"

destination="${1:-$BASE_DIR/var/backups}"
database_url="$(env_or_dotenv DATABASE_URL "postgres://postgres@127.0.0.1:5432/isimedia")"
media_root="$(env_or_dotenv DJANGO_MEDIA_ROOT "$BASE_DIR/var/media")"
file_storage="$(env_or_dotenv DJANGO_FILE_STORAGE "")"
pg_target "$database_url"

# The backup holds personal data: nobody but its owner may read it.
umask 077
mkdir -p "$destination"
destination="$(cd "$destination" && pwd)"
stamp="$(date -u +%Y%m%dT%H%M%SZ)"
final="$destination/isimedia-$stamp"
[[ ! -e "$final" ]] || die "$final already exists"
# Written under a hidden name and renamed at the end, so a half-written backup never looks like a complete one.
work="$(mktemp -d "$destination/.isimedia-$stamp.XXXXXX")"
trap 'rm -rf "$work"' EXIT

server_version="$(psql_value --dbname="$PG_URI" -c "show server_version")" ||
    die "cannot connect to $PG_SAFE_URI"
# The database first, then the files: a file the dump refers to was on disk before the archive started.
pg_dump --dbname="$PG_URI" --format=custom --compress=6 --file="$work/database.dump"
tables="$(pg_restore --list "$work/database.dump" | grep -c ' TABLE DATA ' || true)"
migrations="$(psql_value --dbname="$PG_URI" -c \
    "select app || ' ' || max(name) from django_migrations group by app order by app" 2> /dev/null || true)"

if [[ -n "$file_storage" && "$file_storage" != *FileSystemStorage ]]; then
    # Files in an object store (S3) are not on this disk: the bucket's own versioning or replication keeps them.
    media_line="not included: DJANGO_FILE_STORAGE=$file_storage (back up the bucket itself)"
    echo "Note: files are in $file_storage, not on disk; this backup holds the database only." >&2
elif [[ -d "$media_root" ]]; then
    media_root="$(cd "$media_root" && pwd)"
    tar --create --gzip --file="$work/media.tar.gz" --directory="$media_root" .
    media_files="$(tar --list --gzip --file="$work/media.tar.gz" | grep -vc '/$' || true)"
    media_line="media.tar.gz, $media_files files from $media_root"
else
    echo "Note: $media_root does not exist; the media archive is empty." >&2
    tar --create --gzip --file="$work/media.tar.gz" --files-from=/dev/null
    media_line="media.tar.gz, 0 files ($media_root did not exist)"
fi

commit="$(git -C "$BASE_DIR" rev-parse HEAD 2> /dev/null || echo unknown)"
{
    echo "ISI Media portal backup"
    echo "created:     $(date -u +%Y-%m-%dT%H:%M:%SZ)"
    echo "host:        $(hostname)"
    echo "code:        $commit"
    echo "database:    $PG_SAFE_URI (PostgreSQL $server_version, $tables tables with data)"
    echo "dump:        database.dump, pg_dump --format=custom ($(pg_dump --version))"
    echo "media:       $media_line"
    echo "not in here: PRIVACY_ENCRYPTION_KEYS, the signing certificate (CONTRACTS_SIGNING_PKCS12), .env"
    echo "restore:     scripts/restore.sh $final"
    echo
    echo "latest migration per app:"
    printf '%s\n' "$migrations" | sed 's/^/  /'
} > "$work/MANIFEST"
(cd "$work" && sha256sum -- * > SHA256SUMS)

mv "$work" "$final"
trap - EXIT
echo "$final"
