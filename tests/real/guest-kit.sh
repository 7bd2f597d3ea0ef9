# Shell functions the make-*-dumps.sh scripts share (source it).

# The newest /boot/vmlinuz-*-amd64 with its /lib/modules: sets kernel and
# krel, or fails.
kdx_find_amd64_kernel() {
    local k r
    kernel= krel=
    for k in $(ls -v /boot/vmlinuz-*-amd64 2>/dev/null); do
        r=${k#/boot/vmlinuz-}
        if [ -d "/lib/modules/$r" ]; then kernel=$k; krel=$r; fi
    done
    [ -n "$kernel" ] || { echo "no /boot/vmlinuz-*-amd64 with matching /lib/modules" >&2; return 1; }
}

# kdx_fetch_deb PKGDIR PACKAGE:ARCH: download a (foreign) package into
# PKGDIR without installing it, unpack it in PKGDIR/x/PACKAGE_ARCH, and
# print that directory.
kdx_fetch_deb() {
    local pkgs=$1 name=${2%%:*} arch=${2##*:} deb
    if ! ls "$pkgs/${name}"_*_"$arch".deb >/dev/null 2>&1; then
        # A mirror mid-sync fails now and then: refresh the lists once.
        (cd "$pkgs" && apt-get download "$2" >/dev/null) ||
            { apt-get update -q >/dev/null 2>&1; (cd "$pkgs" && apt-get download "$2" >/dev/null); } ||
            { echo "apt-get download $2 failed" >&2; return 1; }
    fi
    deb=$(ls "$pkgs/${name}"_*_"$arch".deb | head -n1)
    if [ ! -d "$pkgs/x/${name}_$arch" ]; then
        mkdir -p "$pkgs/x/${name}_$arch"
        dpkg-deb -x "$deb" "$pkgs/x/${name}_$arch"
    fi
    echo "$pkgs/x/${name}_$arch"
}

# kdx_install_modules MODDIR ROOT REL...: the modules REL (paths relative
# to MODDIR, as in modules.dep, dependencies first) uncompressed into
# ROOT/lib/modules, their names in ROOT/lib/modules/load-order for the
# guest's init to insmod in order.
kdx_install_modules() {
    local moddir=$1 dest=$2/lib/modules rel base
    shift 2
    mkdir -p "$dest"
    : > "$dest/load-order"
    for rel in "$@"; do
        base=$(basename "$rel")
        case $base in
            *.ko.xz)  xz -dc "$moddir/$rel" > "$dest/${base%.xz}" ;;
            *.ko.zst) zstd -qdc "$moddir/$rel" > "$dest/${base%.zst}" ;;
            *.ko.gz)  gzip -dc "$moddir/$rel" > "$dest/${base%.gz}" ;;
            *.ko)     cp "$moddir/$rel" "$dest/$base" ;;
            *) echo "unexpected module file $rel" >&2; return 1 ;;
        esac
        base=${base%.xz}; base=${base%.zst}; base=${base%.gz}
        echo "$base" >> "$dest/load-order"
    done
}

# kdx_fetch_debs PKGDIR PACKAGE:ARCH...: kdx_fetch_deb for each, with the
# packages not yet in PKGDIR downloaded by one apt-get call (each call costs
# seconds).  Prints the unpacked directories, one a line, in order.
kdx_fetch_debs() {
    local pkgs=$1 p missing=()
    shift
    for p in "$@"; do
        ls "$pkgs/${p%%:*}"_*_"${p##*:}".deb >/dev/null 2>&1 || missing+=("$p")
    done
    if [ ${#missing[@]} -gt 0 ]; then
        (cd "$pkgs" && apt-get download "${missing[@]}" >/dev/null) ||
            { apt-get update -q >/dev/null 2>&1; (cd "$pkgs" && apt-get download "${missing[@]}" >/dev/null); } ||
            { echo "apt-get download ${missing[*]} failed" >&2; return 1; }
    fi
    for p in "$@"; do kdx_fetch_deb "$pkgs" "$p" || return 1; done
}

# kdx_module_closure MODDIR NAME...: the modules NAME (as in modules.dep,
# without directory or extension: xenfs, 9pnet_virtio) and everything they
# depend on, as paths relative to MODDIR, dependencies first, each once:
# the order kdx_install_modules wants.  Fails naming a module not found.
kdx_module_closure() {
    local moddir=$1
    shift
    awk -v want="$*" '
        BEGIN { n = split(want, w, " "); for (i = 1; i <= n; i++) wanted[w[i]] = 1 }
        {
            mod = $1; sub(/:$/, "", mod)
            deps[mod] = ""
            for (i = 2; i <= NF; i++) deps[mod] = deps[mod] " " $i
            base = mod; sub(/.*\//, "", base); sub(/\.ko(\.[a-z]+)?$/, "", base)
            gsub(/-/, "_", base)
            path[base] = mod
        }
        function visit(m,   d, k, i) {
            if (m in done) return
            done[m] = 1
            k = split(deps[m], d, " ")
            for (i = 1; i <= k; i++) visit(d[i])
            print m
        }
        END {
            for (i = 1; i <= n; i++) {
                b = w[i]; gsub(/-/, "_", b)
                if (!(b in path)) { print "module " w[i] " not in modules.dep" > "/dev/stderr"; exit 1 }
                visit(path[b])
            }
        }' "$moddir/modules.dep"
}
