/* SPDX-License-Identifier: MIT */
/*
 * pvx public ABI: feature bits reported by XENVER_get_features (submap 0)
 * and named in a guest's XEN_ELFNOTE_FEATURES note.
 */
#ifndef PVX_PUBLIC_FEATURES_H
#define PVX_PUBLIC_FEATURES_H

#define XENFEAT_writable_page_tables       0  /* guest may write PTEs directly */
#define XENFEAT_writable_descriptor_tables 1  /* guest may write GDT/LDT directly */
#define XENFEAT_auto_translated_physmap    2  /* hypervisor translates pfn->mfn */
#define XENFEAT_supervisor_mode_kernel     3  /* kernel runs in ring 0 */
#define XENFEAT_pae_pgdir_above_4gb        4  /* 32-bit PAE: L3 may be above 4 GiB */
#define XENFEAT_mmu_pt_update_preserve_ad  5  /* MMU_PT_UPDATE_PRESERVE_AD works */
#define XENFEAT_highmem_assist             6  /* 32-bit highmem helpers */
#define XENFEAT_gnttab_map_avail_bits      7  /* GNTMAP_guest_avail_mask honoured */
#define XENFEAT_hvm_callback_vector        8  /* HVM only */
#define XENFEAT_hvm_safe_pvclock           9  /* HVM only */
#define XENFEAT_hvm_pirqs                  10 /* HVM only */
#define XENFEAT_dom0                       11 /* the kernel can run as dom0 */
#define XENFEAT_memory_op_vnode_supported  13 /* XENMEMF_vnode accepted */
#define XENFEAT_ARM_SMCCC_supported        14 /* Arm only */
#define XENFEAT_linux_rsdp_unrestricted    15 /* Linux may locate the RSDP itself */
#define XENFEAT_not_direct_mapped          16 /* Arm only */
#define XENFEAT_direct_mapped              17 /* Arm only */

#define XENFEAT_NR_SUBMAPS 1 /* 32-bit submaps in use */

#endif /* PVX_PUBLIC_FEATURES_H */
