/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Link layout: the boot sections at their physical address, then the image
 * at PVX_IMAGE_VIRT_BASE + physical.  The flat binary made from this ELF
 * starts at PVX_LOAD_ADDRESS and is what boot loaders load.
 */
#include <asm/config.h>

OUTPUT_FORMAT("elf64-x86-64")
OUTPUT_ARCH(i386:x86-64)
ENTRY(_start)

#define V2P(x) ((x) - PVX_IMAGE_VIRT_BASE)

SECTIONS
{
    . = PVX_LOAD_ADDRESS;
    __image_phys_start = .;
    .boot : {
        *(.boot.header)
        *(.boot.text)
        *(.boot.data)
        *(.boot.bss)
    }
    . = ALIGN(4096);

    . = . + PVX_IMAGE_VIRT_BASE;
    _stext = .;
    .text : AT(V2P(ADDR(.text))) {
        /* Entry code and data get pages of their own: XPTI maps them while
         * guests run (xpti.c). */
        . = ALIGN(4096);
        __entry_text_start = .;
        *(.text.entry)
        . = ALIGN(4096);
        __entry_text_end = .;
        *(.text .text.*)
        *(.fixup)
    }
    _etext = .;
    . = ALIGN(4096);
    __ro_start = .;
    .rodata : AT(V2P(ADDR(.rodata))) {
        *(.rodata .rodata.*)
    }
    . = ALIGN(8);
    pvx_params : AT(V2P(ADDR(pvx_params))) {
        __start_pvx_params = .;
        *(pvx_params)
        __stop_pvx_params = .;
    }
    . = ALIGN(8);
    .ex_table : AT(V2P(ADDR(.ex_table))) {
        __start_ex_table = .;
        *(.ex_table)
        __stop_ex_table = .;
    }
    . = ALIGN(8);
    .smap_sites : AT(V2P(ADDR(.smap_sites))) {
        __start_smap_sites = .;
        *(.smap_sites)
        __stop_smap_sites = .;
    }
    . = ALIGN(8);
    .symbols : AT(V2P(ADDR(.symbols))) {
        *(.symbols)
    }
    . = ALIGN(4096);
    __ro_end = .;
    .data : AT(V2P(ADDR(.data))) {
        __entry_data_start = .;
        *(.data.entry)
        . = ALIGN(4096);
        __entry_data_end = .;
        *(.data .data.*)
    }
    __load_phys_end = V2P(.);
    . = ALIGN(4096);
    __bss_start = .;
    .bss : AT(V2P(ADDR(.bss))) {
        *(.bss.stack_aligned)
        *(.bss.page_aligned)
        *(.bss .bss.* COMMON)
    }
    . = ALIGN(4096);
    __bss_end = .;
    __bss_phys_end = V2P(.);
    __image_phys_end = __bss_phys_end;

    /DISCARD/ : {
        *(.eh_frame) *(.eh_frame_hdr) *(.note.*) *(.comment)
    }
}
